import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEventTopic, productEvent, TEST_MODEL } from '@vsp/processors/testing';
import { onCleanup, productImage, skipWithoutQdrant, waitFor } from '@vsp/test-harness';
import { COMPACT_DESCRIPTOR_MODEL } from '@vsp/vector-index';
import { startImageHost, testVersionsOf } from '@vsp/vector-index/testing';
import { embeddingProcess } from './support/embedding-process.js';
import { handledEvents, runEntry, spawnService, untilHandled } from './support/service-process.js';

const PRODUCTS = 12;

test('rebuild --to embedded should move the index from Qdrant into the embedded store with the serving model, where a processor pointed at it goes on from the log', {
  skip: skipWithoutQdrant(),
}, async (t) => {
  const host = await startImageHost(t);
  const topic = await createEventTopic(t, 3);
  const created = (i: number) =>
    productEvent('product.created', `p${i}`, Date.UTC(2025, 10, 12) + i, { image_key: `p${i}/main.jpg` });
  for (let i = 0; i <= PRODUCTS; i++) host.put(`p${i}/main.jpg`, await productImage(66_000 + i));
  await topic.produce(Array.from({ length: PRODUCTS }, (_, i) => created(i)));
  const { env, port, index } = await embeddingProcess(t, {
    topic: topic.topic,
    imageBaseUrl: host.baseUrl,
    overrides: { VECTOR_STORE: 'qdrant' },
  });
  spawnService(t, 'processors/src/embedding/main.ts', env);
  await untilHandled(port, PRODUCTS, { description: 'the live processor to index every product on Qdrant' });
  const dir = mkdtempSync(join(tmpdir(), 'moved-index-'));
  onCleanup(t, () => rmSync(dir, { recursive: true, force: true }));
  const embedded = testVersionsOf(t, {
    store: 'embedded',
    alias: index.alias,
    env: { VECTOR_STORE: 'embedded', VECTOR_ALIAS: index.alias, VECTOR_DATA_DIR: dir },
  });

  // MODEL names another model: a move keeps the one the index serves with.
  const moved = await runEntry('processors/src/embedding/rebuild-cli.ts', ['--to', 'embedded'], {
    ...env,
    VECTOR_DATA_DIR: dir,
    MODEL: COMPACT_DESCRIPTOR_MODEL.id,
    REBUILD_PORT: '0',
  });
  const serving = await embedded.serving();
  const fromQdrant = await testVersionsOf(t, index).store(index.alias).get(['p3']);
  const fromEmbedded = await embedded.store(index.alias).get(['p3']);
  // Pointed at the embedded store as the output says, a processor takes the moved version's group.
  const after = await embeddingProcess(t, { topic: topic.topic, imageBaseUrl: host.baseUrl });
  spawnService(t, 'processors/src/embedding/main.ts', {
    ...after.env,
    VECTOR_DATA_DIR: dir,
    VECTOR_ALIAS: index.alias,
  });
  await topic.produce([created(PRODUCTS)]);
  await waitFor(async () => (await embedded.store(index.alias).count()) === PRODUCTS + 1, {
    description: 'the product created after the move to reach the embedded store',
    timeoutMs: 60_000,
    intervalMs: 200,
  });

  assert.equal(moved.code, 0, moved.stderr);
  assert.match(
    moved.stdout,
    /the embedded store in .* holds the index now; to serve from it, set VECTOR_STORE=embedded in .env/,
  );
  assert.match(moved.stdout, new RegExp(`^${index.alias} now serves ${index.alias}_v1$`, 'm'));
  assert.doesNotMatch(moved.stdout, /is ready: npm run index/, 'a switched version is not offered for a switch');
  assert.equal(serving?.modelId, TEST_MODEL);
  assert.equal(serving?.state, 'ready');
  assert.deepEqual(
    Array.from(fromEmbedded.get('p3')?.vector ?? []),
    Array.from(fromQdrant.get('p3')?.vector ?? [0]),
    'the same vector in both stores',
  );
  assert.deepEqual(fromEmbedded.get('p3')?.payload, fromQdrant.get('p3')?.payload);
  assert.equal(await handledEvents(after.port), 1, 'the new processor met only the event after the move');
});
