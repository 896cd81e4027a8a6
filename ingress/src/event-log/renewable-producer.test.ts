import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKafka, createTopic, failNth, readRecords } from '@vsp/test-harness';
import type { Producer } from 'kafkajs';
import { RenewableProducer } from './renewable-producer.js';

test('the ingress producer should send through a new producer after a failed send, and disconnect them all', async (t) => {
  const kafka = await createKafka();
  const topic = await createTopic(t);
  const made: { producer: Producer; disconnected: boolean }[] = [];
  const producer = new RenewableProducer(() => {
    const created = { producer: kafka.producer({ idempotent: true, maxInFlightRequests: 1 }), disconnected: false };
    created.producer.on(created.producer.events.DISCONNECT, () => {
      created.disconnected = true;
    });
    made.push(created);
    return created.producer;
  });
  // What a broker loss can leave behind: an idempotent producer whose sequence numbers the broker
  // no longer accepts (a real broker cannot be made to desynchronise one on demand).
  const first = made[0] as { producer: Producer };
  const firstSends = failNth(
    t,
    first.producer,
    'send',
    1,
    new Error('The broker received an out of order sequence number'),
  );
  await producer.connect();
  const record = (value: string) => ({ topic, acks: -1, messages: [{ value }] });

  await assert.rejects(producer.send(record('refused')), /out of order sequence number/);
  await producer.send(record('a'));
  await producer.send(record('b'));
  await producer.disconnect();

  assert.equal(made.length, 2, 'one new producer, made once');
  assert.equal(firstSends.calls, 1, 'the failed producer was not used again');
  assert.deepEqual(
    made.map((m) => m.disconnected),
    [true, true],
  );
  const landed = await readRecords(t, topic, 2);
  assert.deepEqual(landed.map((r) => String(r.value)).sort(), ['a', 'b']);
});
