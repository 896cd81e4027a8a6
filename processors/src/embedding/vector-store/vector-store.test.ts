import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVectorIndex, onCleanup, uniqueName } from '@vsp/test-harness';
import { SinkRejectedError } from '../../errors.js';
import { FakeQdrantServer } from '../../testing/fake-qdrant-server.js';
import { CONTRACT_DIMENSION, contractPoint, vectorStoreContract } from '../../testing/vector-store.contract.js';
import { QdrantVectorStore } from './qdrant-vector-store.js';

const options = (alias = uniqueName('products')) => ({
  alias,
  dimension: CONTRACT_DIMENSION,
  modelId: 'contract-model',
});

vectorStoreContract('Qdrant store against the real Qdrant', async (t) => {
  const { qdrantUrl, alias } = await createVectorIndex(t);
  const store = new QdrantVectorStore(qdrantUrl, options(alias));
  await store.open();
  return store;
});

vectorStoreContract('Qdrant store against a FAKE Qdrant server', async (t) => {
  const fake = new FakeQdrantServer();
  const store = new QdrantVectorStore(await fake.listen(), options());
  onCleanup(t, () => fake.close());
  await store.open();
  return store;
});

test('Qdrant store should index the payload fields people filter by (request shapes seen by the FAKE server)', async (t) => {
  const fake = new FakeQdrantServer();
  onCleanup(t, () => fake.close());
  const store = new QdrantVectorStore(await fake.listen(), options());

  await store.open();
  await store.open();

  const indexes = fake.requests
    .filter((r) => r.path.endsWith('/index'))
    .map((r) => (r.body as { field_name: string }).field_name);
  assert.deepEqual(indexes.sort(), [
    'category',
    'currency',
    'deleted',
    'event_time',
    'model_id',
    'product_id',
    'searchable',
  ]);
  assert.equal(
    fake.requests.filter((r) => r.path === '/collections/aliases').length,
    1,
    'the second open reuses the alias',
  );
});

test('Qdrant store should refuse a vector of the wrong dimension for good, not as an outage', async (t) => {
  const { qdrantUrl, alias } = await createVectorIndex(t);
  const store = new QdrantVectorStore(qdrantUrl, options(alias));
  await store.open();
  const wrong = { ...contractPoint('p1', [1, 0, 0]), vector: Float32Array.from([1, 0, 0]) };

  await assert.rejects(store.upsert([wrong]), (error: unknown) => {
    assert.ok(error instanceof SinkRejectedError);
    assert.equal(error.retriable, false);
    assert.equal(error.code, 'SINK_REJECTED');
    return true;
  });
});
