import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startTestIngress, webhookBody } from '@vsp/ingress/testing';
import { readRecords, stopService, waitFor } from '@vsp/test-harness';
import { steadyRequests } from './support/steady-load.js';

interface Answer {
  sentAt: number;
  ms: number;
  status: number;
  retryAfter: string | null;
  taskId?: string;
}

const RATE = 300;

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

test('ingress should refuse at once with 503 while Kafka is down under 300 webhooks/s, hold few requests, never answer a false 200, recover within 2 s, and log the outage in a few lines', async (t) => {
  const ingress = await startTestIngress(t, { LOG_LEVEL: 'info' });
  const answers: Answer[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let outageFrom = Number.POSITIVE_INFINITY;
  const send = async () => {
    const sentAt = Date.now();
    inFlight++;
    if (sentAt > outageFrom) maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const response = await ingress.post(JSON.stringify(webhookBody()));
      const body = (await response.json()) as { task_id?: string };
      answers.push({
        sentAt,
        ms: Date.now() - sentAt,
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        ...(body.task_id ? { taskId: body.task_id } : {}),
      });
    } finally {
      inFlight--;
    }
  };
  const load = steadyRequests(RATE, send);

  await waitFor(() => answers.filter((a) => a.status === 200).length >= RATE, { description: 'a second of 200s' });
  const kafka = await stopService(t, 'kafka');
  // Kafka's process is gone; what comes after the outage's first second is measured.
  outageFrom = Date.now() + 1_000;
  await delay(6_000);
  // Kafka may take writes a little before infra finds it ready: a 200 from then on is a true one.
  const restartAt = Date.now();
  await kafka.restart();
  const backAt = Date.now();
  await waitFor(() => answers.some((a) => a.sentAt >= restartAt && a.status === 200), {
    description: 'a 200 after Kafka is back',
    timeoutMs: 30_000,
  });
  const recoveredAt = Math.min(
    ...answers.filter((a) => a.sentAt >= restartAt && a.status === 200).map((a) => a.sentAt),
  );
  await load.stop();

  const during = answers.filter((a) => a.sentAt > outageFrom && a.sentAt < restartAt);
  const latencies = during.map((a) => a.ms);
  t.diagnostic(
    `outage: ${during.length} webhooks after its first second, statuses ${[...new Set(during.map((a) => a.status))]}, ` +
      `p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms, max ${Math.max(...latencies)} ms, ` +
      `at most ${maxInFlight} in flight; first 200 ${recoveredAt - backAt} ms after infra found Kafka ready`,
  );
  assert.ok(during.length >= RATE * 3, 'the load went on through the outage');
  assert.deepEqual(new Set(during.map((a) => a.status)), new Set([503]));
  assert.ok(during.every((a) => Number(a.retryAfter) >= 1));
  assert.ok(percentile(latencies, 0.99) < 100, `p99 ${percentile(latencies, 0.99)} ms`);
  assert.ok(maxInFlight < RATE, `${maxInFlight} requests were held at once`);
  assert.ok(recoveredAt - backAt <= 2_000, `recovered ${recoveredAt - backAt} ms after Kafka was back`);
  // Not a line with a stack per refused webhook: the outage, and how many were refused.
  const loud = ingress.logs().filter((line) => line.level >= 40);
  const refused = answers.filter((a) => a.status === 503).length;
  t.diagnostic(`${loud.length} warn/error lines for ${refused} refusals: ${loud.map((line) => line.msg).join(' | ')}`);
  assert.ok(loud.length <= 10, `${loud.length} warn/error lines`);
  assert.ok(
    ingress
      .logs()
      .some((line) => /^Kafka breaker closed: publishing again; [1-9]\d* webhooks were answered 503/.test(line.msg)),
    'the refusals are counted once the outage is over',
  );

  const acknowledged = answers.filter((a) => a.status === 200).map((a) => a.taskId as string);
  const records = await readRecords(t, ingress.config.PRODUCT_EVENTS_TOPIC, acknowledged.length, { timeoutMs: 60_000 });
  const onTopic = new Set(records.map((r) => `${ingress.config.PRODUCT_EVENTS_TOPIC}/${r.partition}/${r.offset}`));
  const missing = acknowledged.filter((taskId) => !onTopic.has(taskId));
  assert.deepEqual(missing, [], 'every 200 is on the topic at its task_id');
});
