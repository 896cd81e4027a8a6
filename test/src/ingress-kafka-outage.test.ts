import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestIngress, webhookBody } from '@vsp/ingress/testing';
import { readRecords, stopService, waitFor } from '@vsp/test-harness';

test('ingress should answer 503 with Retry-After while Kafka is down, never 200, and serve again once it is back', async (t) => {
  const ingress = await startTestIngress(t, { BREAKER_RESET_MS: '1000', PRODUCER_SEND_TIMEOUT_MS: '2000' });
  const acknowledged: string[] = [];
  const post = async () => {
    const response = await ingress.post(JSON.stringify(webhookBody()));
    if (response.status === 200) acknowledged.push(((await response.json()) as { task_id: string }).task_id);
    return response;
  };
  assert.equal((await post()).status, 200);

  const kafka = await stopService(t, 'kafka');

  const duringOutage: { status: number; retryAfter: string | null; ms: number }[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const response = await post();
    duringOutage.push({
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      ms: performance.now() - started,
    });
  }
  t.diagnostic(`latencies during the outage (ms): ${duringOutage.map((r) => r.ms.toFixed(0)).join(' ')}`);
  assert.deepEqual(new Set(duringOutage.map((r) => r.status)), new Set([503]));
  assert.ok(duringOutage.every((r) => Number(r.retryAfter) >= 1));
  assert.equal(acknowledged.length, 1);

  await kafka.restart();
  await waitFor(async () => (await post()).status === 200, {
    description: 'the ingress to accept again',
    timeoutMs: 60_000,
    intervalMs: 250,
  });

  const records = await readRecords(t, ingress.config.PRODUCT_EVENTS_TOPIC, acknowledged.length);
  const onTopic = new Set(records.map((r) => `${ingress.config.PRODUCT_EVENTS_TOPIC}/${r.partition}/${r.offset}`));
  for (const taskId of acknowledged)
    assert.ok(onTopic.has(taskId), `${taskId} was acknowledged but is not on the topic`);
});
