import assert from 'node:assert/strict';
import { test } from 'node:test';
import { counterTotal, createEventTopic, productEvent, startTestPersistence } from '@vsp/processors/testing';
import { createKafka, stopService, waitFor } from '@vsp/test-harness';

const T0 = Date.UTC(2025, 10, 12, 10);
const events = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    productEvent('product.created', `p${from + i}`, T0 + from + i, { title: `Товар ${from + i}` }),
  );

test('persistence should pause while PostgreSQL is down, dead-letter nothing, and apply every event once it is back', async (t) => {
  const topic = await createEventTopic(t, 3);
  const persistence = await startTestPersistence(t, topic.topic, {
    BREAKER_RESET_MS: '1000',
    BREAKER_VOLUME_THRESHOLD: '2',
  });
  await topic.produce(events(0, 100));
  await persistence.waitForHandled(100);

  const postgres = await stopService(t, 'postgres');
  if (!postgres) return t.skip('PostgreSQL is not started by infra here, so the test cannot stop it');
  await topic.produce(events(100, 200));
  await waitFor(() => persistence.health().paused !== null, {
    description: 'the consumer to pause',
    timeoutMs: 60_000,
  });
  assert.equal(persistence.health().status, 'degraded');
  assert.equal((persistence.health().paused as { dependency: string }).dependency, 'postgres');
  assert.ok((await counterTotal(persistence.metrics, 'retries')) > 0);

  await postgres.restart();
  await persistence.waitForHandled(300);

  const [{ count }] = (await persistence.query<{ count: string }>('SELECT count(*) FROM products')) as [
    { count: string },
  ];
  assert.equal(count, '300');
  assert.equal(await counterTotal(persistence.metrics, 'deadLetters'), 0);
  const admin = (await createKafka()).admin();
  await admin.connect();
  const dlqOffsets = await admin.fetchTopicOffsets(`${topic.topic}.dlq`);
  await admin.disconnect();
  assert.ok(
    dlqOffsets.every((p) => p.high === '0'),
    'the DLQ stayed empty',
  );
  await waitFor(() => persistence.health().paused === null, { description: 'the consumer to resume' });
});
