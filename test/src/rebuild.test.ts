import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type EmbeddingMetrics,
  emptyProductState,
  imageSourceOf,
  mergeEvents,
  type RebuildOptions,
  type RebuildProgress,
} from '@vsp/processors';
import {
  catalogueHistories,
  createEventTopic,
  indexSettingsOf,
  productEvent,
  rebuildOf,
  startTestEmbedding,
  type TestEmbedding,
} from '@vsp/processors/testing';
import type { ProductEvent } from '@vsp/schemas';
import {
  type CleanupContext,
  onCleanup,
  productImage,
  seededRandom,
  TEST_INDEX_STORES,
  waitFor,
} from '@vsp/test-harness';
import {
  COMPACT_DESCRIPTOR_MODEL,
  EFFICIENTNET_LITE0_MODEL,
  ensureDescriptorModel,
  imageToPixels,
  type ProductPoint,
} from '@vsp/vector-index';
import { startImageHost } from '@vsp/vector-index/testing';
import { deliveries, histories, KEYS_PER_PRODUCT, keyOf, PRODUCTS } from './support/random-catalogue.js';
import { runEntry } from './support/service-process.js';
import { steadyLoad } from './support/steady-load.js';

/** Runs a rebuild in this process against the live processor's topic and alias. */
async function runRebuild(embedding: TestEmbedding, overrides: Partial<RebuildOptions> = {}) {
  const { result, metrics } = await rebuildOf(embedding, overrides);
  const sum = async (counter: EmbeddingMetrics['vectors'] | EmbeddingMetrics['imagesFetched'], source?: string) =>
    (await counter.get()).values
      .filter((v) => source === undefined || (v.labels as Record<string, unknown>).source === source)
      .reduce((total, v) => total + v.value, 0);
  return {
    result,
    fetched: await sum(metrics.imagesFetched),
    embedded: await sum(metrics.vectors, 'embedded'),
    reused: await sum(metrics.vectors, 'reused'),
  };
}

/**
 * `catalogueHistories(products)` on a fresh topic, with both images of every product on the host,
 * indexed by a live embedding processor (`overrides` are its settings).
 */
async function catalogue(t: CleanupContext, products: number, overrides: Record<string, string> = {}) {
  const host = await startImageHost(t);
  const images = new Map<string, Buffer>();
  for (let i = 0; i < products; i++) {
    for (const name of ['a', 'b']) {
      const image = await productImage(7_000 + i * 2 + (name === 'a' ? 0 : 1));
      images.set(`p${i}/${name}.jpg`, image);
      host.put(`p${i}/${name}.jpg`, image);
    }
  }
  const topic = await createEventTopic(t, 3);
  const histories = catalogueHistories(products);
  // Phase by phase (every creation, then every update, …), so a product's history spans batches.
  const events = [0, 1, 2, 3].flatMap((phase) => histories.flatMap((h) => (h[phase] ? [h[phase]] : [])));
  await topic.produce(events);
  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl, overrides);
  await embedding.waitForHandled(events.length);
  return { host, images, topic, events, embedding };
}

/** Each product's state folded from its events, the way every sink must end. */
function expectedStates(events: readonly ProductEvent[]) {
  const states = new Map<string, ReturnType<typeof emptyProductState>>();
  for (const event of events) {
    const id = event.data.product_id;
    const state = states.get(id) ?? emptyProductState(id);
    mergeEvents(state, [event]);
    states.set(id, state);
  }
  return states;
}

function assertPointsMatch(points: Map<string, ProductPoint>, events: readonly ProductEvent[], modelId: string) {
  for (const [id, state] of expectedStates(events)) {
    const point = points.get(id);
    assert.ok(point, `${id} is in the index`);
    const { title, price, image_key, deleted, versions, model_id, image_source } = point.payload;
    assert.deepEqual(
      { title, price, image_key, deleted, versions, model_id, image_source },
      {
        title: state.title,
        price: state.price,
        image_key: state.image_key,
        deleted: state.deleted,
        versions: state.versions,
        model_id: modelId,
        image_source: imageSourceOf(state),
      },
      `${id} holds its state from the log`,
    );
  }
}

function assertClose(actual: Float32Array | undefined, expected: Float32Array | undefined, what: string) {
  assert.ok(actual && expected && actual.length === expected.length, `${what}: vectors present, same size`);
  const worst = actual.reduce((max, v, i) => Math.max(max, Math.abs(v - (expected[i] as number))), 0);
  assert.ok(worst < 1e-5, `${what}: vectors differ by ${worst}`);
}

/** Creates product n1 with `image` and waits for the live processor to index it into `version`: its point. */
async function indexNewProduct(
  embedding: TestEmbedding,
  { host, topic }: Pick<Awaited<ReturnType<typeof catalogue>>, 'host' | 'topic'>,
  image: Buffer,
  version: string,
): Promise<ProductPoint | undefined> {
  host.put('n1.jpg', image);
  await topic.produce([productEvent('product.created', 'n1', Date.UTC(2026, 0, 2), { image_key: 'n1.jpg' })]);
  const store = embedding.versions.store(version);
  await waitFor(async () => (await store.get(['n1'])).size === 1, {
    description: `the live processor to index n1 into ${version} with its model`,
    timeoutMs: 60_000,
    intervalMs: 200,
  });
  return (await store.get(['n1'])).get('n1');
}

/**
 * Searches the alias for `probes` (product id → its image's vector) until stopped, and counts the
 * points it serves; records what went wrong.
 */
function searchThroughout(embedding: TestEmbedding, probes: Map<string, Float32Array>, atLeast: number) {
  const seen = { searches: 0, failed: [] as string[], wrong: [] as string[] };
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      const points = await embedding.store.count().catch((error: Error) => error.message);
      if (typeof points !== 'number' || points < atLeast) seen.wrong.push(`the alias served ${points} points`);
      for (const [id, vector] of probes) {
        try {
          const [best] = await embedding.store.search(vector, 1);
          if (best?.productId !== id) seen.wrong.push(`${id} → ${best?.productId ?? 'nothing'}`);
        } catch (error) {
          seen.failed.push((error as Error).message);
        }
        seen.searches++;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    seen,
    stop: async () => {
      stopped = true;
      await running;
      return seen;
    },
  };
}

async function vectorOf(embedding: TestEmbedding, image: Buffer): Promise<Float32Array> {
  const [vector] = await embedding.model.embed([await imageToPixels(image, embedding.model.spec, 40_000_000)]);
  return vector as Float32Array;
}

for (const { store, title, options } of TEST_INDEX_STORES) {
  test(
    `on ${title}, a same-model rebuild should fetch and embed nothing and end equal to the serving version, vectors included`,
    options,
    async (t) => {
      const seed = Date.now() % 1_000_000;
      t.diagnostic(`seed ${seed} (set it in the test to replay this run)`);
      const next = seededRandom(seed);
      const host = await startImageHost(t);
      for (let p = 0; p < PRODUCTS; p++) {
        for (let k = 0; k < KEYS_PER_PRODUCT; k++) host.put(keyOf(p, k), await productImage(seed + p * 10 + k));
      }
      const topic = await createEventTopic(t, 3);
      const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl, { VECTOR_STORE: store });
      const delivered = deliveries(histories(next), next);
      // The live index is built while the log grows, so its batches split histories differently.
      for (let sent = 0; sent < delivered.length; ) {
        const chunk = delivered.slice(sent, sent + 120);
        await topic.produce(chunk);
        sent += chunk.length;
        await embedding.waitForHandled(sent);
      }
      const serving = await embedding.versions.serving();

      const { result, fetched, embedded, reused } = await runRebuild(embedding);

      assert.equal(result.version.name, `${embedding.versions.alias}_v2`);
      assert.equal(result.donor, serving?.name);
      assert.ok(result.switched);
      assert.equal(fetched, 0, 'no image fetched');
      assert.equal(embedded, 0, 'no image embedded');
      assert.ok(reused > 0, `vectors reused: ${reused}`);
      const ids = Array.from({ length: PRODUCTS }, (_, p) => `p${p}`);
      const old = await embedding.versions.store(serving?.name as string).get(ids);
      const rebuilt = await embedding.versions.store(result.version.name).get(ids);
      assert.equal(rebuilt.size, old.size);
      for (const [id, point] of old) {
        assert.deepEqual(rebuilt.get(id)?.payload, point.payload, `${id}: payload`);
        assertClose(rebuilt.get(id)?.vector, point.vector, `${id}: vector`);
      }
    },
  );

  test(
    `on ${title}, a rebuild after its unfinished version was dropped should read the log from the start of every partition`,
    options,
    async (t) => {
      const products = 40;
      const { events, embedding } = await catalogue(t, products, { VECTOR_STORE: store });
      // A version built to the end of the log, then dropped: its name is free again.
      const { result: dropped } = await runRebuild(embedding, { switchAlias: false });
      const drop = await runEntry(
        'processors/src/embedding/index-cli.ts',
        ['drop', dropped.version.name],
        indexSettingsOf(embedding.config),
      );
      assert.match(drop.stdout, new RegExp(`deleted its consumer group ${dropped.version.group}`));
      const firstProgress: RebuildProgress[] = [];

      const { result } = await runRebuild(embedding, {
        onProgress: (progress) => {
          if (firstProgress.length === 0) firstProgress.push(progress);
        },
      });

      assert.equal(result.version.name, dropped.version.name, 'the dropped name is used again');
      assert.equal(firstProgress[0]?.done, 0, 'nothing counted as consumed before the run began');
      assert.ok(result.switched);
      const ids = [...expectedStates(events).keys()];
      assertPointsMatch(await embedding.versions.store(result.version.name).get(ids), events, embedding.model.spec.id);
      assert.notEqual(result.version.group, dropped.version.group, 'under a consumer group of its own');
    },
  );

  test(
    `on ${title}, a rebuild under steady traffic should never fail a search nor serve a partial index, and end with every event, also those after the switch`,
    options,
    async (t) => {
      // Enough that replaying the log takes a while: a version served too early would be seen.
      const products = 300;
      const { host, images, topic, events, embedding } = await catalogue(t, products, { VECTOR_STORE: store });
      // Products late in the log: a partly built version would not have them yet.
      const probes = new Map<string, Float32Array>();
      for (const i of [products - 1, products - 2, products - 4]) {
        probes.set(`p${i}`, await vectorOf(embedding, images.get(`p${i}/b.jpg`) as Buffer));
      }
      const pool = await Promise.all(Array.from({ length: 40 }, (_, i) => productImage(9_000 + i)));
      const sent: ProductEvent[] = [];
      const load = steadyLoad(topic, 20, (n) => {
        const event =
          n % 2 === 0
            ? productEvent('product.created', `q${n}`, Date.UTC(2026, 0, 1) + n, {
                title: `Новинка ${n}`,
                image_key: `q${n}.jpg`,
              })
            : productEvent('product.updated', `p${n % products}`, Date.UTC(2026, 0, 1) + n, { price: `${n}.5` });
        if (n % 2 === 0) host.put(`q${n}.jpg`, pool[n % pool.length] as Buffer);
        sent.push(event);
        return event;
      });
      onCleanup(t, () => load.stop());
      const searching = searchThroughout(embedding, probes, products);

      const { result } = await runRebuild(embedding);
      const atSwitch = load.sent;
      await waitFor(() => load.sent >= atSwitch + 40, { description: 'traffic after the switch', timeoutMs: 30_000 });
      await load.stop();
      const all = [...events, ...sent];
      const ids = [...expectedStates(all).keys()];
      await waitFor(
        async () =>
          embedding.health().version === result.version.name &&
          (await embedding.versions.store(result.version.name).get(ids)).size === ids.length,
        { description: 'the live processor to follow the alias and catch up', timeoutMs: 90_000, intervalMs: 200 },
      );
      const seen = await searching.stop();

      t.diagnostic(
        `${seen.searches} searches during the rebuild; ${sent.length} events of traffic, ${atSwitch} before the switch`,
      );
      assert.ok(result.switched);
      assert.deepEqual(seen.failed, [], 'no search failed');
      assert.deepEqual(seen.wrong, [], 'every search found its product');
      assert.ok(seen.searches > 20, `searches ran throughout (${seen.searches})`);
      await waitFor(
        async () => {
          try {
            assertPointsMatch(
              await embedding.versions.store(result.version.name).get(ids),
              all,
              embedding.model.spec.id,
            );
            return true;
          } catch {
            return false;
          }
        },
        { description: 'the new version to hold every event', timeoutMs: 60_000, intervalMs: 500 },
      );
      assertPointsMatch(await embedding.versions.store(result.version.name).get(ids), all, embedding.model.spec.id);
    },
  );

  test(
    `on ${title}, a rebuild with another model should build a version of its dimension that searches use that model for, and a switch back should be instantaneous and catch up`,
    options,
    async (t) => {
      const products = 30;
      const { host, images, topic, embedding } = await catalogue(t, products, { VECTOR_STORE: store });
      const modelDir = mkdtempSync(join(tmpdir(), 'compact-model-'));
      onCleanup(t, () => rmSync(modelDir, { recursive: true, force: true }));
      ensureDescriptorModel(modelDir, COMPACT_DESCRIPTOR_MODEL);
      const first = await embedding.versions.serving();

      const { result, embedded } = await runRebuild(embedding, { model: { dir: modelDir } });

      assert.equal(result.donor, null, 'vectors of another model are never reused');
      assert.equal(result.version.modelId, COMPACT_DESCRIPTOR_MODEL.id);
      assert.equal(result.version.dimension, COMPACT_DESCRIPTOR_MODEL.dimension);
      assert.ok(embedded > 0);
      const n1 = await indexNewProduct(
        embedding,
        { host, topic },
        images.get('p1/a.jpg') as Buffer,
        result.version.name,
      );
      assert.equal(n1?.vector.length, COMPACT_DESCRIPTOR_MODEL.dimension);
      assert.equal(n1?.payload.model_id, COMPACT_DESCRIPTOR_MODEL.id);

      const query = join(modelDir, 'query.jpg');
      writeFileSync(query, images.get('p2/b.jpg') as Buffer);
      const index = async (...args: string[]) =>
        (await runEntry('processors/src/embedding/index-cli.ts', args, indexSettingsOf(embedding.config))).stdout;
      const search = await index('search', '--image', query, '--k', '1');
      assert.match(search, /^ 1\. (0\.9\d+|1\.0000) {2}p2 /m);
      assert.match(search, new RegExp(`\\(${result.version.name}, model ${COMPACT_DESCRIPTOR_MODEL.id}\\)`));

      const rollback = await index('switch', first?.name as string);
      assert.match(rollback, new RegExp(`now serves ${first?.name} .*switched in \\d+ ms`));
      assert.equal((await embedding.versions.serving())?.name, first?.name, 'the alias moved back at once');
      host.put('n2.jpg', images.get('p3/a.jpg') as Buffer);
      await topic.produce([productEvent('product.created', 'n2', Date.UTC(2026, 0, 3), { image_key: 'n2.jpg' })]);
      const v1 = embedding.versions.store(first?.name as string);
      await waitFor(async () => (await v1.get(['n1', 'n2'])).size === 2, {
        description: 'the old version to catch up on what it missed while the other served',
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      for (const point of (await v1.get(['n1', 'n2'])).values()) {
        assert.equal(point.vector.length, embedding.model.dimension);
        assert.equal(point.payload.model_id, embedding.model.spec.id);
      }
      await assert.rejects(embedding.versions.drop(first?.name as string), { code: 'INDEX_VERSION_REFUSED' });
    },
  );
}

test('a rebuild with the pretrained model should record only its id, and the live processor should index new products with it', async (t) => {
  const { host, images, topic, embedding } = await catalogue(t, 10);

  const { result } = await runRebuild(embedding, { model: { id: EFFICIENTNET_LITE0_MODEL.id } });

  assert.ok(result.switched);
  assert.deepEqual(
    { modelId: result.version.modelId, modelDir: result.version.modelDir, dimension: result.version.dimension },
    { modelId: EFFICIENTNET_LITE0_MODEL.id, modelDir: null, dimension: EFFICIENTNET_LITE0_MODEL.dimension },
    'a built-in model is recorded by id, so any process opens it from its own cache',
  );
  const n1 = await indexNewProduct(embedding, { host, topic }, images.get('p1/a.jpg') as Buffer, result.version.name);
  assert.equal(n1?.payload.model_id, EFFICIENTNET_LITE0_MODEL.id);
  assert.equal(n1?.vector.length, EFFICIENTNET_LITE0_MODEL.dimension);
});
