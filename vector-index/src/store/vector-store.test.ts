import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SinkRejectedError } from '@vsp/platform';
import { type CleanupContext, onCleanup, uniqueName } from '@vsp/test-harness';
import { FakeQdrantServer } from '../testing/fake-qdrant-server.js';
import { createEmbeddedTestVersions, createTestVersions } from '../testing/test-versions.js';
import { CONTRACT_DIMENSION, contractPoint, vectorStoreContract } from '../testing/vector-store.contract.js';
import { IndexVersions } from './index-versions.js';

const SPEC = {
  modelId: 'contract-model',
  modelDir: null,
  dimension: CONTRACT_DIMENSION,
  groupPrefix: 'contract-group',
};

async function fakeVersions(t: CleanupContext): Promise<{ versions: IndexVersions; fake: FakeQdrantServer }> {
  const fake = new FakeQdrantServer();
  onCleanup(t, () => fake.close());
  const versions = IndexVersions.connect({ QDRANT_URL: await fake.listen(), VECTOR_ALIAS: uniqueName('products') });
  return { versions, fake };
}

vectorStoreContract('Qdrant store against the real Qdrant', async (t) => {
  const versions = await createTestVersions(t);
  await versions.ensureServing(SPEC);
  return versions.store(versions.alias);
});

vectorStoreContract('LanceDB store (the embedded one)', async (t) => {
  const versions = await createEmbeddedTestVersions(t);
  await versions.ensureServing(SPEC);
  return versions.store(versions.alias);
});

vectorStoreContract('Qdrant store against a FAKE Qdrant server', async (t) => {
  const { versions } = await fakeVersions(t);
  await versions.ensureServing(SPEC);
  return versions.store(versions.alias);
});

test('the Qdrant client should ask for uncompressed answers, which arrive without the 45 ms a compressed one took (request headers seen by the FAKE server)', async (t) => {
  const { versions, fake } = await fakeVersions(t);

  await versions.ensureServing(SPEC);
  await versions.store(versions.alias).search(Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0]), 3);

  assert.ok(fake.requests.length > 0);
  for (const { path, headers } of fake.requests) assert.equal(headers['accept-encoding'], 'identity', path);
});

test('index versions should index the payload fields people filter by and make the alias once (request shapes seen by the FAKE server)', async (t) => {
  const { versions, fake } = await fakeVersions(t);

  await versions.ensureServing(SPEC);
  await versions.ensureServing(SPEC);

  const indexes = fake.requests
    .filter((r) => r.path.endsWith('/index'))
    .map((r) => (r.body as { field_name: string }).field_name);
  assert.deepEqual(indexes.sort(), [
    'category',
    'currency',
    'deleted',
    'event_time',
    'model_id',
    'price_value',
    'product_id',
    'searchable',
  ]);
  assert.equal(
    fake.requests.filter((r) => r.path === '/collections/aliases').length,
    1,
    'the second call finds the alias',
  );
});

test('Qdrant store should refuse a vector of the wrong dimension for good, not as an outage', async (t) => {
  const versions = await createTestVersions(t);
  await versions.ensureServing(SPEC);
  const wrong = { ...contractPoint('p1', [1, 0, 0]), vector: Float32Array.from([1, 0, 0]) };

  await assert.rejects(versions.store(versions.alias).upsert([wrong]), (error: unknown) => {
    assert.ok(error instanceof SinkRejectedError);
    assert.equal(error.retriable, false);
    assert.equal(error.code, 'SINK_REJECTED');
    return true;
  });
});
