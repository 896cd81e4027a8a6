import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { waitFor } from '@vsp/test-harness';
import { testVersionsOf } from '@vsp/vector-index/testing';
import { embeddingProcess } from './support/embedding-process.js';
import { photoCatalogue } from './support/photo-catalogue.js';
import { spawnService, untilHandled } from './support/service-process.js';

test('embedding killed with SIGKILL mid-stream should, once restarted, end with a correct index', async (t) => {
  const products = 600;
  const { host, topic, ids } = await photoCatalogue(t, { products, seed: 20_000 });
  const { env, port, index } = await embeddingProcess(t, {
    topic: topic.topic,
    imageBaseUrl: host.baseUrl,
    overrides: { CONSUMER_SESSION_TIMEOUT_MS: '6000' },
  });
  const start = () => spawnService(t, 'processors/src/embedding/main.ts', env);

  const first = start();
  const atKill = await untilHandled(port, products / 10, { description: 'the first run to be under way' });
  first.kill('SIGKILL');
  await once(first, 'exit');
  t.diagnostic(`killed after ${atKill} of ${products} events were handled`);
  assert.ok(atKill < products, 'the kill came before the end of the stream');

  const second = start();
  const store = testVersionsOf(t, index).store(index.alias);
  await waitFor(async () => (await store.get(ids)).size === products, {
    description: 'every product in the index',
    timeoutMs: 120_000,
    intervalMs: 500,
  });
  second.kill('SIGTERM');
  const [code] = await once(second, 'exit');

  assert.equal(code, 0);
  const points = await store.get(ids);
  for (const [i, id] of ids.entries()) {
    assert.equal(points.get(id)?.payload.title, `Товар ${i}`);
    assert.equal(points.get(id)?.payload.image_key, `p${i}/main.jpg`);
  }
  assert.equal(await store.count(), products, 'no product was indexed twice');
});
