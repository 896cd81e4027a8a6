import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom, skipWithoutQdrant, TEST_INDEX_STORES } from '@vsp/test-harness';
import { createTestVersions } from '../testing/test-versions.js';
import { CONTRACT_DIMENSION, contractPoint } from '../testing/vector-store.contract.js';
import type { QdrantBackend } from './qdrant-backend.js';

const SPEC = { modelId: 'model-a', modelDir: null, dimension: CONTRACT_DIMENSION, groupPrefix: 'group-a' };
const OTHER_MODEL = { modelId: 'model-b', modelDir: '/models/b', dimension: 4, groupPrefix: 'group-b' };

const withoutPrefix = ({ groupPrefix: _, ...spec }: typeof SPEC | typeof OTHER_MODEL) => spec;

for (const { store, title, options } of TEST_INDEX_STORES) {
  test(
    `on ${title}, index versions should create the first version behind the alias, ready, and find it afterwards`,
    options,
    async (t) => {
      const versions = await createTestVersions(t, store);

      const first = await versions.ensureServing(SPEC);
      const again = await versions.ensureServing(OTHER_MODEL);

      assert.equal(first.name, `${versions.alias}_v1`);
      assert.equal(first.state, 'ready');
      assert.deepEqual(again, first, 'an existing alias is kept whatever model is offered');
      assert.equal((await versions.serving())?.modelId, 'model-a');
    },
  );

  test(
    `on ${title}, instances starting together on an empty index should all serve the same first version`,
    options,
    async (t) => {
      const versions = await createTestVersions(t, store);

      const started = await Promise.all([1, 2, 3, 4].map(() => versions.ensureServing(SPEC)));

      assert.deepEqual(new Set(started.map((version) => version.name)), new Set([`${versions.alias}_v1`]));
      assert.deepEqual(
        (await versions.list()).map(({ name, serving }) => ({ name, serving })),
        [{ name: `${versions.alias}_v1`, serving: true }],
      );
    },
  );

  test(
    `on ${title}, index versions should list every version with its points, model, dimension, creation and which one serves`,
    options,
    async (t) => {
      const versions = await createTestVersions(t, store);
      await versions.ensureServing(SPEC);
      await versions.store(versions.alias).upsert([contractPoint('p1', [1, 0, 0, 0, 0, 0, 0, 0])]);
      const second = await versions.create(OTHER_MODEL);

      const listed = await versions.list();

      assert.equal(second.name, `${versions.alias}_v2`);
      assert.deepEqual(
        listed.map(({ name, points, modelId, modelDir, dimension, state, serving }) => ({
          name,
          points,
          modelId,
          modelDir,
          dimension,
          state,
          serving,
        })),
        [
          { name: `${versions.alias}_v1`, points: 1, ...withoutPrefix(SPEC), state: 'ready', serving: true },
          { name: `${versions.alias}_v2`, points: 0, ...withoutPrefix(OTHER_MODEL), state: 'building', serving: false },
        ],
      );
      assert.ok(Date.parse(listed[1]?.createdAt as string) > Date.now() - 60_000);
      assert.deepEqual(
        listed.map((v) => v.group),
        listed.map((v, i) => `${[SPEC, OTHER_MODEL][i]?.groupPrefix}.${v.name}.${v.createdAt}`),
        'each version has a consumer group of its own, named for its creation',
      );
    },
  );

  test(
    `on ${title}, a switch should refuse a version still being built, and move the alias to a ready one`,
    options,
    async (t) => {
      const versions = await createTestVersions(t, store);
      await versions.ensureServing(SPEC);
      const second = await versions.create(SPEC);

      await assert.rejects(versions.switchTo(second.name), { code: 'INDEX_VERSION_REFUSED' });
      await versions.markReady(second.name);
      await versions.switchTo(second.name);

      assert.equal((await versions.serving())?.name, second.name);
      await assert.rejects(versions.switchTo(`${versions.alias}_v9`), { code: 'INDEX_VERSION_UNKNOWN' });
    },
  );

  test(`on ${title}, drop should refuse the serving version and delete another`, options, async (t) => {
    const versions = await createTestVersions(t, store);
    const first = await versions.ensureServing(SPEC);
    const second = await versions.create(SPEC);

    await assert.rejects(versions.drop(first.name), { code: 'INDEX_VERSION_REFUSED' });
    await versions.drop(second.name);

    assert.deepEqual(
      (await versions.list()).map((v) => v.name),
      [first.name],
    );
  });
}

test('an int8 version on Qdrant should keep int8 copies of its vectors, start in four segments and still find the nearest product first', {
  skip: skipWithoutQdrant(),
}, async (t) => {
  const versions = await createTestVersions(t, 'qdrant');
  await versions.ensureServing(SPEC);
  const int8 = await versions.create({ ...SPEC, quantization: 'int8' });
  await versions
    .store(int8.name)
    .upsert([contractPoint('p1', [1, 0.2, 0, 0, 0, 0, 0, 0]), contractPoint('p2', [0, 1, 0, 0, 0, 0, 0, 0])]);

  const hits = await versions.store(int8.name).search(Float32Array.from([1, 0.1, 0, 0, 0, 0, 0, 0]), 2);

  assert.equal((await versions.get(int8.name))?.quantization, 'int8');
  assert.equal((await versions.serving())?.quantization, 'none');
  assert.deepEqual(
    hits.map((hit) => hit.productId),
    ['p1', 'p2'],
  );
  const info = await (versions.backend as QdrantBackend).qdrant.call((client) => client.getCollection(int8.name));
  assert.deepEqual(info.config.quantization_config, { scalar: { type: 'int8', quantile: 0.99, always_ram: true } });
  assert.equal(info.segments_count, 4);
});

test('a version made ready on Qdrant should have an HNSW graph over all of its points', {
  skip: skipWithoutQdrant(),
}, async (t) => {
  const versions = await createTestVersions(t, 'qdrant');
  // Vectors of a real model's size, enough that each of Qdrant's segments passes the indexing threshold.
  const spec = { ...SPEC, dimension: 1280 };
  const version = await versions.create(spec);
  const random = seededRandom(3);
  for (let batch = 0; batch < 12; batch++) {
    await versions.store(version.name).upsert(
      Array.from({ length: 500 }, (_, i) => ({
        ...contractPoint(`p${batch * 500 + i}`, [1]),
        vector: Float32Array.from({ length: spec.dimension }, () => random() - 0.5),
      })),
    );
  }

  await versions.markReady(version.name);

  const info = await (versions.backend as QdrantBackend).qdrant.call((client) => client.getCollection(version.name));
  assert.equal(info.points_count, 6000);
  assert.equal(info.indexed_vectors_count, 6000);
});

test('the embedded store should refuse an int8 version, saying its own index compresses vectors already', async (t) => {
  const versions = await createTestVersions(t, 'embedded');

  await assert.rejects(versions.create({ ...SPEC, quantization: 'int8' }), {
    code: 'INDEX_VERSION_REFUSED',
    message: /no int8 quantization \(its IVF-PQ index compresses vectors already\)/,
  });
  assert.deepEqual(await versions.list(), []);
});
