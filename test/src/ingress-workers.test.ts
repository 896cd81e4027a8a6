import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { testIngressEnv } from '@vsp/ingress/testing';
import { freePort, readRecords, waitFor } from '@vsp/test-harness';
import { spawnService } from './support/service-process.js';
import { postWebhook } from './support/signed-webhook.js';

test('an ingress of two workers should serve from both, count them together, replace a worker killed with SIGKILL, and exit 0 on SIGTERM', async (t) => {
  const port = await freePort();
  const env = await testIngressEnv({ PORT: String(port), INGRESS_WORKERS: '2', LOG_LEVEL: 'info' });
  const topic = String(env.PRODUCT_EVENTS_TOPIC);
  const child = spawnService(t, 'ingress/src/main.ts', env, 'pipe');
  const lines: { pid: number; msg: string }[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line));
  });
  const logged = (pattern: RegExp) => lines.filter((line) => pattern.test(line.msg));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(() => logged(/^Event log ready/).length === 2, {
    description: 'both workers ready',
    timeoutMs: 60_000,
  });
  const post = () => postWebhook(url);
  const accepted = async () => {
    const text = await (await fetch(`${url}/api/v1/metrics`)).text();
    return [...text.matchAll(/^visual_search_webhooks_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  };

  const first = await Promise.all(Array.from({ length: 40 }, post));
  const servers = new Set(logged(/^Webhook received/).map((line) => line.pid));
  const counts = await Promise.all(Array.from({ length: 6 }, accepted));
  const [victim] = servers;
  process.kill(victim as number, 'SIGKILL');
  await waitFor(() => logged(/^Event log ready/).length === 3, {
    description: 'a new worker ready',
    timeoutMs: 60_000,
  });
  const second = await Promise.all(Array.from({ length: 40 }, post));
  child.kill('SIGTERM');
  const [exitCode] = await once(child, 'exit');

  assert.equal(servers.size, 2, 'both workers served webhooks');
  assert.deepEqual(counts, Array(6).fill(40), 'every scrape counts the webhooks of all workers');
  assert.equal(logged(/died \(SIGKILL\): starting another/).length, 1);
  assert.deepEqual(new Set([...first, ...second].map((o) => o.status)), new Set([200]));
  assert.equal(exitCode, 0);
  const records = await readRecords(t, topic, 80);
  const onTopic = new Set(records.map((r) => `${topic}/${r.partition}/${r.offset}`));
  for (const { task_id } of [...first, ...second])
    assert.ok(onTopic.has(String(task_id)), `${task_id} not on the topic`);
});
