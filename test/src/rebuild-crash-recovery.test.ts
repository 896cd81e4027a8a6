import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createKafka, onCleanup, TEST_INDEX_STORES, waitFor } from '@vsp/test-harness';
import { COMPACT_DESCRIPTOR_MODEL, ensureDescriptorModel } from '@vsp/vector-index';
import { testVersionsOf } from '@vsp/vector-index/testing';
import { embeddingProcess } from './support/embedding-process.js';
import { photoCatalogue } from './support/photo-catalogue.js';
import { outputUntilExit, spawnService, untilHandled } from './support/service-process.js';

for (const { store, title, options } of TEST_INDEX_STORES) {
  test(
    `on ${title}, a rebuild killed with SIGKILL halfway should never be served, and a second run should resume it and switch to a complete version`,
    options,
    async (t) => {
      const products = 1_200;
      const { host, topic, ids } = await photoCatalogue(t, { products, photos: 50, seed: 40_000 });
      const { env, port, index } = await embeddingProcess(t, {
        topic: topic.topic,
        imageBaseUrl: host.baseUrl,
        overrides: { REBUILD_PORT: '0', CONSUMER_SESSION_TIMEOUT_MS: '6000', VECTOR_STORE: store },
      });
      spawnService(t, 'processors/src/embedding/main.ts', env);
      await untilHandled(port, products, { description: 'the live index to be built', timeoutMs: 180_000 });
      // Another model: every image is embedded again, so the rebuild takes long enough to be killed.
      const modelDir = mkdtempSync(join(tmpdir(), 'compact-model-'));
      onCleanup(t, () => rmSync(modelDir, { recursive: true, force: true }));
      ensureDescriptorModel(modelDir, COMPACT_DESCRIPTOR_MODEL);
      const versions = testVersionsOf(t, index);
      const next = `${index.alias}_v2`;
      const rebuild = () =>
        spawnService(t, 'processors/src/embedding/rebuild-cli.ts', env, 'pipe', ['--model', modelDir]);

      const admin = (await createKafka()).admin();
      await admin.connect();
      onCleanup(t, () => admin.disconnect());
      const committed = async (group: string) =>
        (await admin.fetchOffsets({ groupId: group, topics: [topic.topic] }))
          .flatMap(({ partitions }) => partitions)
          .reduce((sum, { offset }) => sum + Math.max(Number(offset), 0), 0);

      const first = rebuild();
      first.stdout?.resume();
      const atKill = await waitFor(
        async () => {
          const building = await versions.get(next);
          const points = building && (await committed(building.group)) > 0 && (await versions.store(next).count());
          return points || false;
        },
        { description: 'the rebuild to have committed part of the log', timeoutMs: 120_000, intervalMs: 20 },
      );
      first.kill('SIGKILL');
      await once(first, 'exit');
      const killed = (await versions.list()).find((v) => v.name === next);
      const committedAtKill = await committed(killed?.group ?? '');
      t.diagnostic(
        `killed with ${killed?.points} of ${products} points in ${next}, ${committedAtKill} events committed`,
      );

      assert.equal(
        (await versions.serving())?.name,
        `${index.alias}_v1`,
        'the alias never moved to the unfinished version',
      );
      assert.equal(killed?.state, 'building');
      assert.ok(atKill < products && (killed?.points ?? 0) < products, 'the kill came before the end');

      const { code, stdout: output } = await outputUntilExit(rebuild());

      assert.equal(code, 0, output);
      assert.match(
        output,
        new RegExp(`^${next} \\(resumed\\): ${products - committedAtKill} events in `, 'm'),
        'the summary counts only the events this run consumed',
      );
      assert.match(output, new RegExp(`now serves ${next}$`, 'm'));
      assert.doesNotMatch(output, /is ready: npm run index/, 'a switched version is not offered for a switch');
      const done = (await versions.list()).find((v) => v.name === next);
      assert.equal(done?.state, 'ready');
      assert.equal(done?.serving, true);
      assert.equal(done?.points, products);
      const points = await versions.store(next).get(ids);
      for (const [i, id] of ids.entries()) {
        assert.equal(points.get(id)?.payload.title, `Товар ${i}`);
        assert.equal(points.get(id)?.vector.length, COMPACT_DESCRIPTOR_MODEL.dimension);
        assert.equal(points.get(id)?.payload.searchable, true);
      }
    },
  );
}
