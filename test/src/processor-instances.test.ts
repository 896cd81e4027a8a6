import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { createEventTopic, productEvent } from '@vsp/processors/testing';
import type { ProductEvent } from '@vsp/schemas';
import { freePort, productImage, waitFor } from '@vsp/test-harness';
import { startImageHost, testVersionsOf } from '@vsp/vector-index/testing';
import { embeddingProcess } from './support/embedding-process.js';
import { persistenceProcess } from './support/persistence-process.js';
import { spawnService } from './support/service-process.js';
import { steadyLoad } from './support/steady-load.js';

const PRODUCTS = 120;
const PICTURES = 3;

/** The n-th event of the stream: product n % PRODUCTS; each fourth round a new picture, the others a new title. */
function eventAt(n: number): ProductEvent {
  const id = `p${n % PRODUCTS}`;
  const round = Math.floor(n / PRODUCTS);
  const at = Date.UTC(2026, 0, 1) + n;
  return round % 4 === 0
    ? productEvent('product.image.updated', id, at, { image_key: `${id}/${round % PICTURES}.jpg` })
    : productEvent('product.updated', id, at, { title: `Товар ${id}, ${round}` });
}

test('two instances of each processor in their groups should, after one of each is SIGKILLed and a new one joins, end at the expected state with no lag', async (t) => {
  const host = await startImageHost(t);
  for (let i = 0; i < PRODUCTS; i++) {
    for (let k = 0; k < PICTURES; k++) host.put(`p${i}/${k}.jpg`, await productImage(40_000 + i * PICTURES + k));
  }
  const topic = await createEventTopic(t, 6);
  // Six partitions, session timeout 6 s: a killed member is noticed quickly and its partitions move.
  const overrides = { CONSUMER_SESSION_TIMEOUT_MS: '6000', HEALTH_CHECK_INTERVAL_MS: '500' };
  const persistence = await persistenceProcess(t, { topic: topic.topic, overrides });
  const embedding = await embeddingProcess(t, { topic: topic.topic, imageBaseUrl: host.baseUrl, overrides });
  const instance = async (kind: 'persistence' | 'embedding') => {
    const port = await freePort();
    const env =
      kind === 'persistence'
        ? { ...persistence.env, PERSISTENCE_PORT: String(port) }
        : { ...embedding.env, EMBEDDING_PORT: String(port) };
    return { port, child: spawnService(t, `processors/src/${kind}/main.ts`, env) };
  };
  const members = async (port: number) => {
    const health = (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json())) as {
      consumer: { state: string; assigned: number[] };
      lag: Record<string, number>;
    };
    return health;
  };

  const [p1, p2, e1, e2] = await Promise.all([
    instance('persistence'),
    instance('persistence'),
    instance('embedding'),
    instance('embedding'),
  ]);
  const load = steadyLoad(topic, 100, eventAt);
  await waitFor(
    async () => {
      const all = await Promise.all([p1, p2, e1, e2].map((m) => members(m.port).catch(() => undefined)));
      return all.every((h) => h?.consumer.state === 'member' && h.consumer.assigned.length > 0);
    },
    { description: 'all four instances holding partitions', timeoutMs: 120_000, intervalMs: 250 },
  );
  await waitFor(() => load.sent >= 3 * PRODUCTS, { description: 'events flowing', timeoutMs: 60_000 });
  p1.child.kill('SIGKILL');
  e1.child.kill('SIGKILL');
  await Promise.all([once(p1.child, 'exit'), once(e1.child, 'exit')]);
  await waitFor(() => load.sent >= 6 * PRODUCTS, { description: 'events flowing without them', timeoutMs: 60_000 });
  const [p3, e3] = await Promise.all([instance('persistence'), instance('embedding')]);
  await waitFor(() => load.sent >= 9 * PRODUCTS, {
    description: 'events flowing after they joined',
    timeoutMs: 60_000,
  });
  const sent = await load.stop();

  // A picture event sets the picture; an update sets the title.
  const expected = new Map<string, { title: string | undefined; image_key: string | undefined }>();
  for (let n = 0; n < sent; n++) {
    const { data } = eventAt(n);
    const before = expected.get(data.product_id);
    expected.set(data.product_id, {
      title: data.title ?? before?.title,
      image_key: data.image_key ?? before?.image_key,
    });
  }
  const rows = async () =>
    (
      await persistence.database.pool.query<{ product_id: string; title: string; image_key: string }>(
        'select product_id, title, image_key from products order by product_id',
      )
    ).rows;
  const store = testVersionsOf(t, embedding.index).store(embedding.index.alias);
  const ids = [...expected.keys()];
  let mismatch = '';
  const matches = async () => {
    const [current, points] = await Promise.all([rows(), store.get(ids)]);
    return ids.every((id) => {
      const want = expected.get(id);
      const row = current.find((r) => r.product_id === id);
      const point = points.get(id);
      const same =
        row?.title === want?.title &&
        row?.image_key === want?.image_key &&
        point?.payload.title === want?.title &&
        point?.payload.image_key === want?.image_key;
      if (!same) mismatch = JSON.stringify({ id, want, row, point: point?.payload });
      return same;
    });
  };
  await waitFor(matches, {
    description: 'rows and points at the final state',
    timeoutMs: 180_000,
    intervalMs: 1_000,
  }).catch((error: Error) => assert.fail(`${error.message}; still different: ${mismatch}`));
  const survivors = [p2, p3, e2, e3];
  await waitFor(
    async () => {
      const all = await Promise.all(survivors.map((m) => members(m.port)));
      return (
        all.every((h) => Object.values(h.lag).every((lag) => lag === 0)) &&
        all.reduce((sum, h) => sum + h.consumer.assigned.length, 0) === 12
      );
    },
    { description: 'every partition held by a survivor, lag 0', timeoutMs: 60_000, intervalMs: 500 },
  );

  assert.equal((await rows()).length, PRODUCTS, 'one row per product');
  assert.equal(await store.count(), PRODUCTS, 'one point per product');
  for (const member of survivors) {
    member.child.kill('SIGTERM');
    const [code] = await once(member.child, 'exit');
    assert.equal(code, 0);
  }
});
