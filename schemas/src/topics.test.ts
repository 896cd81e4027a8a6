import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replicationFor } from './topics.js';

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
