import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { catalogueHistories, createEventTopic, expectedCatalogue, SELECT_CATALOGUE } from '@vsp/processors/testing';
import { persistenceProcess } from './support/persistence-process.js';
import { runEntry, spawnService, untilHandled } from './support/service-process.js';

test('npm run replay should refuse a running group, then move a stopped one to the start so persistence reads the log again and ends with the same rows', async (t) => {
  const products = 300;
  const topic = await createEventTopic(t, 3);
  const events = catalogueHistories(products).flat();
  await topic.produce(events);
  const { env, port, database } = await persistenceProcess(t, { topic: topic.topic });
  const group = env.PERSISTENCE_GROUP_ID as string;
  const replay = (...args: string[]) => runEntry('processors/src/replay/replay-cli.ts', args, env);

  const first = spawnService(t, 'processors/src/persistence/main.ts', env);
  await untilHandled(port, events.length);
  const refused = await replay('--group', group, '--to', 'earliest');
  first.kill('SIGTERM');
  await once(first, 'exit');
  const outside = await replay('--group', group, '--to', '0:999999');
  const moved = await replay('--group', group, '--to', 'earliest');
  const second = spawnService(t, 'processors/src/persistence/main.ts', env);
  await untilHandled(port, events.length);
  second.kill('SIGTERM');
  await once(second, 'exit');

  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /has 1 running member.*stop its processors first \(GROUP_ACTIVE\)/);
  assert.equal(outside.code, 1);
  assert.match(outside.stderr, /offset 999999 is outside partition 0's 0\.\.\d+ \(OFFSET_TARGET_INVALID\)/);
  assert.equal(moved.code, 0);
  assert.deepEqual(
    moved.stdout.match(/^\S+\[\d\] {2}\d+ -> 0$/gm)?.length,
    3,
    `every partition moved to 0:\n${moved.stdout}`,
  );
  assert.deepEqual((await database.pool.query(SELECT_CATALOGUE)).rows, expectedCatalogue(products));
});
