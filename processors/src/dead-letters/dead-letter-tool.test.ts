import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKafka, productImage, waitFor } from '@vsp/test-harness';
import { startImageHost } from '@vsp/vector-index/testing';
import { createEventTopic, productEvent, startTestEmbedding } from '../testing/index.js';
import { DeadLetterTool } from './dead-letter-tool.js';

test('dead letters should list with their origin and, replayed once the cause is fixed, be applied', async (t) => {
  const host = await startImageHost(t);
  const topic = await createEventTopic(t, 1);
  await topic.produce([
    productEvent('product.created', 'p1', Date.UTC(2025, 10, 12), { title: 'Без фото', image_key: 'p1/main.jpg' }),
  ]);
  await topic.produceRaw([{ key: 'poison', value: Buffer.from('not avro') }]);
  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl);
  await embedding.waitForHandled(2);
  const tool = new DeadLetterTool(await createKafka(), topic.dlq);

  const letters = await tool.read();

  assert.deepEqual(
    letters
      .map((l) => [String(l.key), l.headers['dlq.error.code'], l.headers['dlq.original.offset']])
      .sort((a, b) => Number(a[2]) - Number(b[2])),
    [
      ['p1', 'IMAGE_NOT_FOUND', '0'],
      ['poison', 'RECORD_UNDECODABLE', '1'],
    ],
  );

  host.put('p1/main.jpg', await productImage(7));
  const { replayed } = await tool.replay({ reason: 'IMAGE_NOT_FOUND' });
  await waitFor(async () => (await embedding.store.get(['p1'])).size === 1, {
    description: 'p1 to be indexed after the replay',
  });

  assert.equal(replayed.length, 1);
  assert.equal((await embedding.store.get(['p1'])).get('p1')?.payload.title, 'Без фото');
  assert.equal((await tool.read()).length, 2, 'the replayed event did not fail again');
});

test('dead letter replay should send each letter once, and again only when asked', async (t) => {
  const host = await startImageHost(t);
  const topic = await createEventTopic(t, 1);
  await topic.produce([productEvent('product.created', 'p1', Date.UTC(2025, 10, 12), { image_key: 'p1/main.jpg' })]);
  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl);
  await embedding.waitForHandled(1);
  // Replayed into a running processor, the event would fail again and make a new letter.
  await embedding.close();
  const kafka = await createKafka();
  const tool = new DeadLetterTool(kafka, topic.dlq);
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const records = async () => Number((await admin.fetchTopicOffsets(topic.topic))[0]?.high);

  const first = await tool.replay({});
  const second = await tool.replay({});
  const afterTwo = await records();
  const again = await tool.replay({ again: true });

  assert.equal(first.replayed.length, 1);
  assert.equal(second.replayed.length, 0);
  assert.equal(second.alreadyReplayed.length, 1);
  assert.equal(afterTwo, 2, 'the original event and one replay');
  assert.equal(again.replayed.length, 1);
  assert.equal(await records(), 3);
});
