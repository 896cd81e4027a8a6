import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKafka, onCleanup, startKafkaCluster, uniqueName } from '@vsp/test-harness';
import { dlqTopicName, ensureTopics, replicationFor, topicSpecs } from './topics.js';

test('topics should get 3 replicas with 2 in sync from 3 brokers on, and 1 replica below', () => {
  assert.deepEqual(replicationFor(1, {}), { replicationFactor: 1, minInsyncReplicas: 1 });
  assert.deepEqual(replicationFor(2, {}), { replicationFactor: 1, minInsyncReplicas: 1 });
  assert.deepEqual(replicationFor(3, {}), { replicationFactor: 3, minInsyncReplicas: 2 });
  assert.deepEqual(replicationFor(5, {}), { replicationFactor: 3, minInsyncReplicas: 2 });
});

test('topics should take the replication asked for, and refuse more replicas than brokers', () => {
  assert.deepEqual(replicationFor(3, { replicationFactor: 2 }), { replicationFactor: 2, minInsyncReplicas: 1 });
  assert.deepEqual(replicationFor(5, { replicationFactor: 5, minInsyncReplicas: 3 }), {
    replicationFactor: 5,
    minInsyncReplicas: 3,
  });
  assert.deepEqual(replicationFor(3, { minInsyncReplicas: 9 }), { replicationFactor: 3, minInsyncReplicas: 3 });
  assert.equal(replicationFor(1, { replicationFactor: 3 }), undefined);
});

test('topics created on a broker that has just started should be reported created once every partition has a leader', async (t) => {
  const kafka = await startKafkaCluster(t, 1);
  const admin = (await createKafka({ brokers: kafka.brokers.split(',') })).admin();
  await admin.connect();
  onCleanup(t, () => admin.disconnect());
  // One after another: the broker answers "does not host this topic-partition" for a moment
  // after each creation, not only for the first.
  for (let i = 0; i < 5; i++) {
    const topic = uniqueName('fresh-broker');
    const names = [topic, dlqTopicName(topic)];
    const created = await ensureTopics(admin, names, async () =>
      topicSpecs({ topic, partitions: 12, replicationFactor: 1, minInsyncReplicas: 1 }),
    );
    assert.deepEqual(created, names);
    const led = (await kafka.leaders(topic)).filter((leader) => leader >= 0);
    assert.equal(led.length, 12, `${topic}: a leader for each of 12 partitions`);
  }
});
