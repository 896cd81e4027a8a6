import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { testIngressEnv } from '@vsp/ingress/testing';
import { freePort, readRecords, waitFor } from '@vsp/test-harness';
import { spawnService } from './support/service-process.js';
import { postWebhook } from './support/signed-webhook.js';

test('ingress should answer every request it holds when SIGTERM arrives, with records Kafka has, and exit 0', async (t) => {
  const port = await freePort();
  const env = await testIngressEnv({
    PORT: String(port),
    // Accepted requests wait here for their batch, so SIGTERM finds them all in flight.
    PRODUCER_LINGER_MS: '60000',
    LOG_LEVEL: 'info',
  });
  const topic = String(env.PRODUCT_EVENTS_TOPIC);
  const child = spawnService(t, 'ingress/src/main.ts', env, 'pipe');
  let received = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    received += chunk.toString().split('Webhook received:').length - 1;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/api/v1/ready`)).ok, {
    description: 'the ingress to be ready',
    timeoutMs: 60_000,
  });

  const count = 50;
  const answers = Array.from({ length: count }, () => postWebhook(url));
  await waitFor(() => received === count, { description: `the ingress to hold ${count} requests`, timeoutMs: 30_000 });
  child.kill('SIGTERM');

  const outcomes = await Promise.all(answers);
  const [exitCode] = await once(child, 'exit');

  assert.equal(exitCode, 0);
  assert.deepEqual(new Set(outcomes.map((o) => o.status)), new Set([200]));
  const records = await readRecords(t, topic, count);
  const onTopic = new Set(records.map((r) => `${topic}/${r.partition}/${r.offset}`));
  for (const { task_id } of outcomes)
    assert.ok(onTopic.has(String(task_id)), `${task_id} acknowledged but not on the topic`);
});
