import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Producer, RecordMetadata } from 'kafkajs';
import { RenewableProducer } from './renewable-producer.js';

/**
 * Stand-ins for kafkajs producers that count what happens to them: a real broker cannot be made
 * to desynchronise a producer's sequence numbers on demand (the broker-loss test meets it live).
 */
function producers(failFirstSends: number) {
  const made: { sends: number; connected: boolean; disconnects: number }[] = [];
  let failures = failFirstSends;
  const create = () => {
    const state = { sends: 0, connected: false, disconnects: 0 };
    made.push(state);
    return {
      connect: async () => {
        state.connected = true;
      },
      send: async (): Promise<RecordMetadata[]> => {
        state.sends++;
        if (failures-- > 0) throw new Error('The broker received an out of order sequence number');
        return [];
      },
      disconnect: async () => {
        state.disconnects++;
      },
    } as unknown as Producer;
  };
  return { made, create };
}

test('the ingress producer should send through a new producer after a failed send, and disconnect them all', async () => {
  const { made, create } = producers(1);
  const producer = new RenewableProducer(create);
  await producer.connect();
  const record = { topic: 't', messages: [{ value: 'v' }] };

  await assert.rejects(producer.send(record), /out of order sequence number/);
  await producer.send(record);
  await producer.send(record);
  await producer.disconnect();

  assert.deepEqual(made, [
    { sends: 1, connected: true, disconnects: 1 },
    { sends: 2, connected: true, disconnects: 1 },
  ]);
});
