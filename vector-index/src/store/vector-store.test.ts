import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as lancedb from '@lancedb/lancedb';
import { SinkRejectedError } from '@vsp/platform';
import {
  type CleanupContext,
  createVectorIndex,
  onCleanup,
  seededRandom,
  TEST_INDEX_STORES,
  uniqueName,
} from '@vsp/test-harness';
import { FakeQdrantServer } from '../testing/fake-qdrant-server.js';
import { createTestVersions, testVersionsOf } from '../testing/test-versions.js';
import { CONTRACT_DIMENSION, contractPoint, vectorStoreContract } from '../testing/vector-store.contract.js';
import { IndexVersions } from './index-versions.js';
import { ANN_INDEX_MIN_POINTS } from './lancedb-maintenance.js';
import { pointId } from './vector-store.js';

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

for (const { store, title, options } of TEST_INDEX_STORES) {
  vectorStoreContract(
    `the store on ${title}`,
    async (t) => {
      const versions = await createTestVersions(t, store);
      await versions.ensureServing(SPEC);
      return versions.store(versions.alias);
    },
    options,
  );
}

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

for (const { store, title, options } of TEST_INDEX_STORES) {
  test(
    `the store on ${title} should refuse a vector of the wrong dimension for good, not as an outage`,
    options,
    async (t) => {
      const versions = await createTestVersions(t, store);
      await versions.ensureServing(SPEC);
      const wrong = { ...contractPoint('p1', [1, 0, 0]), vector: Float32Array.from([1, 0, 0]) };

      await assert.rejects(versions.store(versions.alias).upsert([wrong]), (error: unknown) => {
        assert.ok(error instanceof SinkRejectedError);
        assert.equal(error.retriable, false);
        assert.equal(error.code, 'SINK_REJECTED');
        return true;
      });
    },
  );
}

test('point ids should be UUIDv5 of the product id, the same everywhere', () => {
  assert.equal(pointId('12345'), pointId('12345'));
  assert.notEqual(pointId('12345'), pointId('12346'));
  assert.match(pointId('12345'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('the embedded store should build its vector index once it holds 10,000 points, and go on finding every point, new ones too, within filters', async (t) => {
  const index = await createVectorIndex(t);
  const versions = testVersionsOf(t, index);
  const store = versions.store((await versions.ensureServing(SPEC)).name);
  const random = seededRandom(3);
  const direction = () => Array.from({ length: CONTRACT_DIMENSION }, () => random() - 0.5);
  const points = Array.from({ length: ANN_INDEX_MIN_POINTS }, (_, i) =>
    contractPoint(`p${i}`, direction(), { category: i % 2 === 0 ? 'Обувь' : 'Одежда' }),
  );
  for (let i = 0; i < points.length; i += 1_000) await store.upsert(points.slice(i, i + 1_000));
  const table = async () =>
    (await lancedb.connect((index.env as { VECTOR_DATA_DIR: string }).VECTOR_DATA_DIR)).openTable(store.name);

  const before = await (await table()).listIndices();
  await versions.optimize(store.name);
  const after = await (await table()).listIndices();
  const late = contractPoint('late', direction());
  await store.upsert([late]);

  assert.deepEqual(before, [], 'no index below 10,000 points');
  assert.deepEqual(
    after.map(({ columns, indexType }) => ({ columns, indexType })),
    [{ columns: ['vector'], indexType: 'IvfPq' }],
  );
  for (const point of [...points.slice(0, 50), late]) {
    const [best] = await store.search(point.vector, 1);
    assert.equal(best?.productId, point.productId, `${point.productId} is found by its own vector`);
  }
  const shoes = await store.search(points[1]?.vector as Float32Array, 20, { category: 'Обувь' });
  assert.equal(shoes.length, 20);
  assert.ok(shoes.every((hit) => hit.payload.category === 'Обувь'));
});

test('the embedded store should take writes from several partitions at once while it compacts, refusing none', async (t) => {
  const versions = await createTestVersions(t);
  const store = versions.store((await versions.ensureServing(SPEC)).name);
  const random = seededRandom(5);
  const direction = () => Array.from({ length: CONTRACT_DIMENSION }, () => random() - 0.5);

  await Promise.all(
    [0, 1, 2].map(async (partition) => {
      // The same 50 products again and again: updates, which a compaction rewriting their rows meets.
      for (let i = 0; i < 60; i++) {
        await store.upsert(Array.from({ length: 50 }, (_, n) => contractPoint(`p${partition}-${n}`, direction())));
      }
    }),
  );

  assert.equal(await store.count(), 150);
});
