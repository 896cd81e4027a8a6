import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { loadConfig } from '@vsp/platform';
import { onCleanup, uniqueName } from '@vsp/test-harness';
import { FakeQdrantServer } from '../../testing/fake-qdrant-server.js';
import { LanceDbVectorStore } from './lancedb-vector-store.js';
import { QdrantVectorStore } from './qdrant-vector-store.js';
import { CONTRACT_DIMENSION, vectorStoreContract } from './vector-store.contract.js';

const options = () => ({ alias: uniqueName('products'), dimension: CONTRACT_DIMENSION, modelId: 'contract-model' });
const { QDRANT_URL } = loadConfig(Type.Object({ QDRANT_URL: Type.Optional(Type.String()) }));

vectorStoreContract('LanceDB store', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lancedb-'));
  const store = new LanceDbVectorStore(dir, options());
  await store.open();
  onCleanup(t, async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
});

vectorStoreContract('Qdrant store against a FAKE Qdrant server', async (t) => {
  const fake = new FakeQdrantServer();
  const store = new QdrantVectorStore(await fake.listen(), options());
  onCleanup(t, () => fake.close());
  await store.open();
  return store;
});

if (QDRANT_URL) {
  vectorStoreContract('Qdrant store against the real Qdrant at QDRANT_URL', async () => {
    const store = new QdrantVectorStore(QDRANT_URL, options());
    await store.open();
    return store;
  });
}

test('Qdrant store should index the payload fields people filter by (request shapes seen by the FAKE server)', async (t) => {
  const fake = new FakeQdrantServer();
  onCleanup(t, () => fake.close());
  const store = new QdrantVectorStore(await fake.listen(), options());

  await store.open();
  await store.open();

  const indexes = fake.requests
    .filter((r) => r.path.endsWith('/index'))
    .map((r) => (r.body as { field_name: string }).field_name);
  assert.deepEqual(indexes.sort(), ['category', 'currency', 'deleted', 'event_time', 'model_id', 'product_id']);
  assert.equal(
    fake.requests.filter((r) => r.path === '/collections/aliases').length,
    1,
    'the second open reuses the alias',
  );
});
