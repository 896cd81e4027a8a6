import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { catalogueHistories, createEventTopic, expectedCatalogue, SELECT_CATALOGUE } from '@vsp/processors/testing';
import { createTestDatabase, ensureInfra, freePort, uniqueName, waitFor } from '@vsp/test-harness';
import { handledEvents, repoRoot, spawnService } from './support/service-process.js';

test('npm run replay should refuse a running group, then move a stopped one to the start so persistence reads the log again and ends with the same rows', async (t) => {
  const products = 300;
  const topic = await createEventTopic(t, 3);
  const events = catalogueHistories(products).flat();
  await topic.produce(events);
  const database = await createTestDatabase(t);
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const port = await freePort();
  const group = uniqueName('persistence');
  const env = {
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    DATABASE_URL: database.url,
    PRODUCT_EVENTS_TOPIC: topic.topic,
    PERSISTENCE_GROUP_ID: group,
    PERSISTENCE_PORT: String(port),
    PERSISTENCE_HOST: '127.0.0.1',
    LOG_DIR: '',
    LOG_LEVEL: 'warn',
  };
  const replay = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'processors/src/replay/replay-cli.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  const untilHandled = (count: number) =>
    waitFor(async () => (await handledEvents(port).catch(() => 0)) >= count, {
      description: `${count} events handled`,
      timeoutMs: 120_000,
      intervalMs: 100,
    });

  const first = spawnService(t, 'processors/src/persistence/main.ts', env);
  await untilHandled(events.length);
  const refused = await replay('--group', group, '--to', 'earliest');
  first.kill('SIGTERM');
  await once(first, 'exit');
  const outside = await replay('--group', group, '--to', '0:999999');
  const moved = await replay('--group', group, '--to', 'earliest');
  const second = spawnService(t, 'processors/src/persistence/main.ts', env);
  await untilHandled(events.length);
  second.kill('SIGTERM');
  await once(second, 'exit');

  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /has 1 running member.*stop its processors first \(GROUP_ACTIVE\)/);
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /offset 999999 is outside partition 0's 0\.\.\d+ \(OFFSET_TARGET_INVALID\)/);
  assert.equal(moved.code, 0);
  assert.deepEqual(
    moved.stdout.match(/^\S+\[\d\] {2}\d+ -> 0$/gm)?.length,
    3,
    `every partition moved to 0:\n${moved.stdout}`,
  );
  assert.deepEqual((await database.pool.query(SELECT_CATALOGUE)).rows, expectedCatalogue(products));
});
