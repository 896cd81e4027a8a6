import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { dlqTopicName } from '@vsp/schemas';
import {
  type CleanupContext,
  createKafka,
  failNth,
  onCleanup,
  readRecords,
  stopService,
  uniqueGroupId,
  uniqueName,
  waitFor,
} from '@vsp/test-harness';
import type { Consumer, ConsumerConfig, Kafka, KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { createEventTopic, productEvent } from '../testing/index.js';
import { ConsumerRuntime } from './consumer-runtime.js';
import { ProcessorMetrics } from './processor-metrics.js';
import type { RecordHandler } from './runtime-options.js';
import type { SinkRecord } from './sink-writer.js';

const SESSION_TIMEOUT_MS = 6_000;

/** A runtime on `topic` whose records are their keys, written by `write`; closed after the test. */
async function testRuntime(
  t: CleanupContext,
  topic: string,
  {
    groupId = uniqueGroupId(),
    write,
    kafka,
    metrics = new ProcessorMetrics('test_'),
  }: { groupId?: string; write: RecordHandler<string>['write']; kafka?: Kafka; metrics?: ProcessorMetrics },
): Promise<ConsumerRuntime<string>> {
  const runtime = new ConsumerRuntime<string>({
    name: 'test',
    kafka: kafka ?? (await createKafka()),
    groupId,
    topic,
    dlqTopic: dlqTopicName(topic),
    concurrency: 1,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    handler: { decode: async (message: KafkaMessage) => String(message.key), write, label: () => 'product.created' },
    sink: {
      name: 'test-sink',
      timeoutMs: 60_000,
      maxRecordsPerWrite: 1_000,
      breaker: { resetMs: 5_000, errorPercent: 50, volumeThreshold: 3 },
    },
    retry: { initialMs: 200, maxMs: 1_000 },
    health: { intervalMs: 1_000, stallAfterMs: 120_000 },
    logger: pino({ level: 'silent' }),
    metrics,
  });
  onCleanup(t, () => runtime.close());
  return runtime;
}

test('a sink write slower than the session timeout should keep its partitions and write each batch once', async (t) => {
  const topic = await createEventTopic(t, 1);
  await topic.produce([1, 2, 3].map((n) => productEvent('product.created', `p${n}`, Date.UTC(2026, 0, n))));
  const groupId = uniqueGroupId();
  const written: string[][] = [];
  const runtime = await testRuntime(t, topic.topic, {
    groupId,
    // The seam: a sink that takes twice the session timeout for every write.
    write: async (records) => {
      written.push(records.map((r) => r.value));
      await delay(2 * SESSION_TIMEOUT_MS);
      return records.map(() => 'applied' as const);
    },
  });
  const admin = (await createKafka()).admin();
  await admin.connect();
  onCleanup(t, () => admin.disconnect());
  const committed = async () =>
    Number((await admin.fetchOffsets({ groupId, topics: [topic.topic] }))[0]?.partitions[0]?.offset);

  await runtime.start();
  await waitFor(async () => (await committed()) === 3, {
    description: 'the batch committed',
    timeoutMs: 60_000,
    intervalMs: 250,
  });
  // Long enough for a member dropped by its group to have rejoined and fetched the batch again.
  await delay(3 * SESSION_TIMEOUT_MS);

  assert.deepEqual(written, [['p1', 'p2', 'p3']], 'one write, never repeated');
  assert.equal((runtime.health().consumer as { state: string }).state, 'member');
});

test('a batch the sink refuses for good should be written again record by record, dead-lettering only the refused record', async (t) => {
  const topic = await createEventTopic(t, 1);
  await topic.produce([1, 2, 3].map((n) => productEvent('product.created', `p${n}`, Date.UTC(2026, 0, n))));
  const written: string[][] = [];
  const sink = {
    write: async (records: SinkRecord<string>[]) => {
      written.push(records.map((r) => r.value));
      return records.map(() => 'applied' as const);
    },
  };
  // The whole batch [p1, p2, p3] is refused, then [p1] written, [p2] refused, [p3] written, as a
  // constraint that p2 breaks would.
  const refusal = Object.assign(new Error('p2 breaks a constraint'), { code: 'TEST_REFUSED', retriable: false });
  const writes = failNth(t, sink, 'write', [1, 3], refusal);
  const runtime = await testRuntime(t, topic.topic, { write: (records) => sink.write(records) });

  await runtime.start();
  const [letter, ...more] = await readRecords(t, topic.dlq, 1);

  assert.equal(more.length, 0);
  assert.equal(String(letter?.key), 'p2');
  assert.equal(letter?.headers['dlq.error.code'], 'TEST_REFUSED');
  assert.equal(letter?.headers['dlq.stage'], 'sink');
  await waitFor(() => written.length === 2, { description: 'p3 written' });
  assert.deepEqual(written, [['p1'], ['p3']]);
  assert.equal(writes.calls, 4);
});

test('a sink that answers with fewer outcomes than records should have those records dead-lettered, not counted as written', async (t) => {
  const topic = await createEventTopic(t, 1);
  await topic.produce([1, 2].map((n) => productEvent('product.created', `p${n}`, Date.UTC(2026, 0, n))));
  const metrics = new ProcessorMetrics('test_');
  const runtime = await testRuntime(t, topic.topic, { write: async () => [], metrics });

  await runtime.start();
  const letters = await readRecords(t, topic.dlq, 2);

  assert.deepEqual(letters.map((l) => [String(l.key), l.headers['dlq.error.code']]).sort(), [
    ['p1', 'SINK_OUTCOMES_MISMATCH'],
    ['p2', 'SINK_OUTCOMES_MISMATCH'],
  ]);
  const applied = (await metrics.events.get()).values.filter((v) => v.labels.outcome === 'applied');
  assert.equal(
    applied.reduce((sum, v) => sum + v.value, 0),
    0,
  );
});

test('a consumer started before its topic exists should wait for it, say so in its health, and consume it once created', async (t) => {
  const name = uniqueName('product-events');
  const written: string[] = [];
  const runtime = await testRuntime(t, name, {
    write: async (records) => {
      written.push(...records.map((r) => r.value));
      return records.map(() => 'applied' as const);
    },
  });

  // As on a fresh `npm start`: the processors may start before the ingress has created the topics.
  const started = runtime.start();
  await waitFor(() => runtime.health().problems.some((p) => p.includes(`waiting for topic ${name}`)), {
    description: 'the consumer to wait for its topic',
    timeoutMs: 30_000,
  });
  const topic = await createEventTopic(t, 1, name);
  await topic.produce([productEvent('product.created', 'p1', Date.UTC(2026, 0, 1))]);
  await started;

  await waitFor(() => written.includes('p1'), { description: 'the event consumed', timeoutMs: 60_000 });
});

test('a runtime closed while kafkajs handles a consumer crash should keep the consumer from restarting and joining its group again', async (t) => {
  const topic = await createEventTopic(t, 1);
  const kafka = await createKafka();
  const consumers: Consumer[] = [];
  const makeConsumer = kafka.consumer.bind(kafka);
  kafka.consumer = (config: ConsumerConfig) => {
    const consumer = makeConsumer(config);
    consumers.push(consumer);
    return consumer;
  };
  const runtime = await testRuntime(t, topic.topic, { kafka, write: async (records) => records.map(() => 'applied') });
  const [consumer] = consumers as [Consumer];
  // The race made certain: close() runs while kafkajs handles a crash it is about to restart from,
  // after it has decided to restart and before it sets the restart's timer.
  let crash: { closedAt: number; retryTimeMs: number } | undefined;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (crash || !payload.restart) return;
    crash = { closedAt: Date.now(), retryTimeMs: (payload.error as { retryTime?: number }).retryTime ?? 300 };
    void runtime.close();
  });
  let joinedAfterClose = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (crash) joinedAfterClose = true;
  });
  await runtime.start();
  await waitFor(() => (runtime.health().consumer as { state: string }).state === 'member', {
    description: 'the consumer in its group',
    timeoutMs: 30_000,
  });

  const kafkaDown = await stopService(t, 'kafka');
  const { retryTimeMs } = await waitFor(() => crash, { description: 'the consumer to crash', timeoutMs: 60_000 });
  await runtime.close();
  await kafkaDown.restart();

  // A restart that was left scheduled fires after retryTimeMs and joins once Kafka answers again.
  await assert.rejects(
    waitFor(() => joinedAfterClose, { description: 'a join after close()', timeoutMs: retryTimeMs + 20_000 }),
    /timed out/,
  );
});
