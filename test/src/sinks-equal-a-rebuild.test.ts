import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  createEventTopic,
  productEvent,
  startTestEmbedding,
  startTestPersistence,
  type TestEmbedding,
  type TestPersistence,
} from '@vsp/processors/testing';
import type { ProductEvent } from '@vsp/schemas';
import { productImage, seededRandom } from '@vsp/test-harness';
import { imageToPixels, type ProductPayload, type ProductPoint } from '@vsp/vector-index';
import { startImageHost } from '@vsp/vector-index/testing';
import {
  deliveries,
  type Expected,
  expectedProduct,
  histories,
  KEYS_PER_PRODUCT,
  keyOf,
  LATEST,
  PRODUCTS,
} from './support/random-catalogue.js';

async function rowsOf(persistence: TestPersistence): Promise<Map<string, Expected>> {
  const rows = await persistence.query<Expected & { product_id: string; deleted_at: string | null }>(
    `SELECT product_id, title, description, category, price::text AS price, currency, image_key, deleted,
       (extract(epoch FROM deleted_at) * 1000)::bigint AS deleted_at, last_event_id FROM products`,
  );
  return new Map(
    rows.map(({ product_id, ...row }) => [
      product_id,
      { ...row, deleted_at: row.deleted_at === null ? null : Number(row.deleted_at) },
    ]),
  );
}

const sameNumber = (a: string | null, b: string | null) => (a === null ? b === null : Number(a) === Number(b));

function assertClose(actual: Float32Array | undefined, expected: Float32Array | undefined, what: string) {
  assert.ok(actual && expected && actual.length === expected.length, `${what}: vectors present, same size`);
  const worst = actual.reduce((max, v, i) => Math.max(max, Math.abs(v - (expected[i] as number))), 0);
  assert.ok(worst < 1e-5, `${what}: vectors differ by ${worst}`);
}

test('both sinks should equal a rebuild from the log and an independent model, whatever the order, duplicates and event times', async (t) => {
  const seed = Date.now() % 1_000_000;
  t.diagnostic(`seed ${seed} (set it in the test to replay this run)`);
  const next = seededRandom(seed);
  const host = await startImageHost(t);
  const bytes = new Map<string, Buffer>();
  for (let p = 0; p < PRODUCTS; p++) {
    for (let k = 0; k < KEYS_PER_PRODUCT; k++) bytes.set(keyOf(p, k), await productImage(seed + p * 10 + k));
  }
  for (const [key, image] of bytes) host.put(key, image);
  const all = histories(next);
  const topic = await createEventTopic(t, 3);

  // Live: the processors run while the log grows, in three chunks, so batches split histories.
  const persistence = await startTestPersistence(t, topic.topic);
  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl);
  const delivered = deliveries(all, next);
  let sent = 0;
  for (const chunk of [delivered.slice(0, 150), delivered.slice(150, 300), delivered.slice(300)]) {
    await topic.produce(chunk);
    sent += chunk.length;
    await persistence.waitForHandled(sent);
    await embedding.waitForHandled(sent);
  }
  // New bytes under an unchanged key, announced by product.image.updated: the index must follow.
  const reannounced: ProductEvent[] = [];
  for (let p = 0; p < PRODUCTS; p += 4) {
    const key = expectedProduct(all[p] as ProductEvent[]).image_key ?? keyOf(p, 0);
    const image = await productImage(seed + 1_000_000 + p);
    bytes.set(key, image);
    host.put(key, image);
    const event = productEvent('product.image.updated', `p${p}`, LATEST + p, { image_key: key });
    reannounced.push(event);
    (all[p] as ProductEvent[]).push(event);
  }
  await topic.produce(reannounced);
  sent += reannounced.length;
  await persistence.waitForHandled(sent);
  await embedding.waitForHandled(sent);

  // Rebuild: fresh sinks read the whole log at once.
  const rebuiltRows = await startTestPersistence(t, topic.topic);
  const rebuiltIndex = await startTestEmbedding(t, topic.topic, host.baseUrl);
  await rebuiltRows.waitForHandled(sent);
  await rebuiltIndex.waitForHandled(sent);

  const ids = all.map((_, p) => `p${p}`);
  const [liveRows, rebuilt] = [await rowsOf(persistence), await rowsOf(rebuiltRows)];
  const livePoints = await embedding.store.get(ids);
  const rebuiltPoints = await rebuiltIndex.store.get(ids);
  for (const [p, history] of all.entries()) {
    const id = `p${p}`;
    const expected = expectedProduct(history);
    const row = liveRows.get(id) as Expected;
    assert.deepEqual(rebuilt.get(id), row, `${id}: PostgreSQL live equals the rebuild`);
    assert.deepEqual({ ...row, price: null }, { ...expected, price: null }, `${id}: PostgreSQL equals the model`);
    assert.ok(sameNumber(row.price, expected.price), `${id}: price ${row.price} equals ${expected.price}`);

    const live = livePoints.get(id) as ProductPoint;
    const again = rebuiltPoints.get(id) as ProductPoint;
    assert.deepEqual(again?.payload, live?.payload, `${id}: index live equals the rebuild`);
    assertClose(live?.vector, again?.vector, `${id}: live and rebuilt vectors`);
    assertIndexMatches(id, live.payload, expected);
    const shows = !expected.deleted && expected.image_key !== null;
    assert.equal(live.payload.searchable, shows, `${id}: searchable only with an image and not deleted`);
    if (shows) {
      const image = bytes.get(expected.image_key as string) as Buffer;
      assert.equal(live.payload.image_sha256, createHash('sha256').update(image).digest('hex'), `${id}: image hash`);
      const [vector] = await embedding.model.embed([await imageToPixels(image, embedding.model.spec, 40_000_000)]);
      assertClose(live.vector, vector, `${id}: vector of the current image`);
    } else {
      assert.equal(live.payload.image_sha256, null, `${id}: no image hash without an image to show`);
    }
  }
  await assertSearchShowsOnly(embedding, all);
});

function assertIndexMatches(id: string, payload: ProductPayload, expected: Expected) {
  const { title, description, category, currency, image_key, deleted, deleted_at, last_event_id } = payload;
  const { price: _price, ...fields } = expected;
  assert.deepEqual(
    { title, description, category, currency, image_key, deleted, deleted_at, last_event_id },
    fields,
    `${id}: index equals the model`,
  );
  assert.ok(sameNumber(payload.price, expected.price), `${id}: index price ${payload.price} equals ${expected.price}`);
}

async function assertSearchShowsOnly(embedding: TestEmbedding, all: ProductEvent[][]) {
  const visible = all
    .map((history, p) => ({ id: `p${p}`, expected: expectedProduct(history) }))
    .filter(({ expected }) => !expected.deleted && expected.image_key !== null)
    .map(({ id }) => id);
  const probe = new Float32Array(embedding.model.dimension).fill(1);
  const hits = await embedding.store.search(probe, PRODUCTS);
  assert.deepEqual(
    hits.map((h) => h.productId).sort(),
    visible.sort(),
    'search shows exactly the live products with images',
  );
}
