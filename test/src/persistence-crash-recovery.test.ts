import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { catalogueHistories, createEventTopic, expectedCatalogue, SELECT_CATALOGUE } from '@vsp/processors/testing';
import { waitFor } from '@vsp/test-harness';
import { persistenceProcess } from './support/persistence-process.js';
import { spawnService, untilHandled } from './support/service-process.js';

test('persistence killed with SIGKILL mid-stream should, once restarted, end with every row correct', async (t) => {
  const products = 12_000;
  const topic = await createEventTopic(t, 3);
  const events = catalogueHistories(products).flat();
  // Half the stream now, half after the kill: however fast the first run is (Kafka 4 fetches in
  // larger steps), it is killed before the stream's end, with work in flight.
  const half = Math.floor(events.length / 2);
  await topic.produce(events.slice(0, half));
  const { env, port, database } = await persistenceProcess(t, {
    topic: topic.topic,
    // The killed member is noticed after this long; the default 30 s would only slow the test.
    overrides: { CONSUMER_SESSION_TIMEOUT_MS: '6000' },
  });
  const start = () => spawnService(t, 'processors/src/persistence/main.ts', env);

  const first = start();
  const atKill = await untilHandled(port, events.length / 10, { description: 'the first run to be under way' });
  first.kill('SIGKILL');
  await once(first, 'exit');
  t.diagnostic(`killed after ${atKill} of ${events.length} events were handled`);
  assert.ok(atKill < events.length, 'the kill came before the end of the stream');

  await topic.produce(events.slice(half));
  const second = start();
  const expected = expectedCatalogue(products);
  await waitFor(
    async () => {
      const rows = (await database.pool.query(SELECT_CATALOGUE)).rows;
      return rows.length === expected.length && JSON.stringify(rows) === JSON.stringify(expected);
    },
    { description: 'every row to reach its final state', timeoutMs: 120_000, intervalMs: 500 },
  );
  second.kill('SIGTERM');
  const [code] = await once(second, 'exit');
  assert.equal(code, 0);
});
