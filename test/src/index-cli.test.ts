import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEventTopic, indexSettingsOf, productEvent, startTestEmbedding } from '@vsp/processors/testing';
import { nearDuplicate, productImage, TEST_INDEX_STORES } from '@vsp/test-harness';
import { startImageHost } from '@vsp/vector-index/testing';
import { runEntry } from './support/service-process.js';

for (const { store, title, options } of TEST_INDEX_STORES) {
  test(
    `on ${title}, npm run index should list the versions, show a product and the nearest products to an image, and optimize the serving version`,
    options,
    async (t) => {
      const host = await startImageHost(t);
      const topic = await createEventTopic(t, 1);
      const images = await Promise.all([1, 2, 3].map((seed) => productImage(300 + seed)));
      for (const [i, image] of images.entries()) host.put(`p${i}/main.jpg`, image);
      await topic.produce(
        images.map((_, i) =>
          productEvent('product.created', `p${i}`, Date.UTC(2025, 10, 12), {
            title: `Товар ${i}`,
            image_key: `p${i}/main.jpg`,
          }),
        ),
      );
      const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl, { VECTOR_STORE: store });
      await embedding.waitForHandled(3);
      const query = join(embedding.config.MODEL_CACHE_DIR, '..', 'query.jpg');
      writeFileSync(query, await nearDuplicate(images[1] as Buffer));
      const run = async (...args: string[]) =>
        (await runEntry('processors/src/embedding/index-cli.ts', args, indexSettingsOf(embedding.config))).stdout;

      const collections = await run('collections');
      const product = JSON.parse(await run('get', 'p1'));
      const search = await run('search', '--image', query, '--k', '2');
      const optimized = await run('optimize');

      assert.match(
        collections,
        new RegExp(
          `^\\* +${embedding.config.VECTOR_ALIAS}_v1 +ready +3 +${embedding.model.spec.id} +${embedding.model.dimension} +none +\\d{4}-`,
          'm',
        ),
      );
      assert.equal(product.title, 'Товар 1');
      assert.equal(product.vector_dimension, embedding.model.dimension);
      assert.match(search.split('\n')[0] as string, /^ 1\. (0\.9\d+|1\.0000) {2}p1 {2}Товар 1/);
      assert.equal(search.trim().split('\n').length, 3);
      assert.match(search, new RegExp(`\\(${embedding.config.VECTOR_ALIAS}_v1, model ${embedding.model.spec.id}\\)`));
      assert.match(optimized, new RegExp(`^optimized ${embedding.config.VECTOR_ALIAS}_v1 in \\d+\\.\\d s$`, 'm'));
    },
  );
}
