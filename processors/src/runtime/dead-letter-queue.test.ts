import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKafka, onCleanup, productImage, readRecords, waitFor } from '@vsp/test-harness';
import { startImageHost } from '@vsp/vector-index/testing';
import type { KafkaMessage } from 'kafkajs';
import { counterTotal, createEventTopic, productEvent, startTestEmbedding } from '../testing/index.js';
import { DeadLetterQueue } from './dead-letter-queue.js';

const T0 = Date.UTC(2025, 10, 12, 10);

test('a burst of dead letters should reach the DLQ in chunks that fit, without stalling the partition behind it', async (t) => {
  const host = await startImageHost(t);
  host.put('good/main.jpg', await productImage(7));
  const topic = await createEventTopic(t, 1);
  const missing = Array.from({ length: 5_000 }, (_, i) =>
    productEvent('product.created', `missing-${i}`, T0 + i, { title: `Нет фото ${i}`, image_key: `missing-${i}.jpg` }),
  );
  await topic.produce(missing);

  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl);
  await topic.produce([productEvent('product.created', 'good', T0, { title: 'С фото', image_key: 'good/main.jpg' })]);
  await waitFor(async () => (await embedding.store.get(['good'])).size === 1, {
    description: 'the good product behind 5,000 dead letters to be indexed',
    timeoutMs: 60_000,
    intervalMs: 250,
  });

  const letters = await readRecords(t, topic.dlq, missing.length);
  assert.equal(new Set(letters.map((l) => l.headers['dlq.original.offset'])).size, missing.length);
  assert.ok(letters.every((l) => l.headers['dlq.error.code'] === 'IMAGE_NOT_FOUND'));
  assert.equal(await counterTotal(embedding.metrics, 'deadLetters', { reason: 'IMAGE_NOT_FOUND' }), missing.length);
  assert.equal(embedding.health().status, 'ok');
});

test('a dead letter larger than the topic allows should lose its stack trace, then its value, and say so', async (t) => {
  const topic = await createEventTopic(t, 1);
  const dlqTopic = `${topic.topic}.small-dlq`;
  const kafka = await createKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: dlqTopic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4096' }] }],
    waitForLeaders: true,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  onCleanup(t, async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [dlqTopic] }).catch(() => {});
    await admin.disconnect();
  });
  const dlq = new DeadLetterQueue(producer, admin, dlqTopic, 'test-group');
  const failed = { ok: false as const, attempts: 1, firstFailureAt: T0, lastFailureAt: T0 };
  const letter = (value: Buffer, error: Error) =>
    DeadLetterQueue.letter(
      { topic: topic.topic, partition: 0 },
      { key: Buffer.from('k'), value, offset: '7', timestamp: String(T0), headers: {} } as KafkaMessage,
      'sink',
      { ...failed, error },
    );
  const longStack = Object.assign(new Error('x'.repeat(3_000)), { code: 'SINK_REJECTED' });
  const letters = [letter(Buffer.alloc(100, 1), longStack), letter(Buffer.alloc(10_000, 2), longStack)];

  for (const chunk of await dlq.chunks(letters)) await dlq.send(chunk);

  const [small, large] = await readRecords(t, dlqTopic, 2);
  assert.equal(small?.headers['dlq.truncated'], 'stacktrace,message');
  assert.equal(small?.value?.length, 100, 'a value that fits is kept');
  assert.equal(large?.headers['dlq.truncated'], 'stacktrace,message,value');
  assert.equal(large?.value, null);
  assert.equal(large?.headers['dlq.original.offset'], '7', 'the original can still be found');
  assert.equal(large?.headers['dlq.error.code'], 'SINK_REJECTED');
});
