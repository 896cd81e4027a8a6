import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestIngress, testIngressEnv } from '@vsp/ingress/testing';
import { freePort, waitFor } from '@vsp/test-harness';
import { outputUntilExit, spawnService } from './support/service-process.js';

for (const workers of [1, 2]) {
  test(`ingress${workers > 1 ? ` of ${workers} workers` : ''} should refuse to start when its topics would need more replicas than the cluster has brokers`, async (t) => {
    const env = await testIngressEnv({
      PORT: String(await freePort()),
      PRODUCT_EVENTS_REPLICATION: '3',
      INGRESS_WORKERS: String(workers),
    });
    const { code, stdout: output } = await outputUntilExit(spawnService(t, 'ingress/src/main.ts', env, 'pipe'));

    assert.equal(code, 1, output);
    assert.match(
      output,
      /Ingress cannot start: PRODUCT_EVENTS_REPLICATION=3 needs that many brokers, but the cluster at \S+ has 1: lower it, or add brokers/,
    );
    assert.match(output, /"code":"TOPIC_REPLICATION_UNSATISFIABLE"/);
  });
}

test('ingress should start on topics that exist whatever replication it would create them with', async (t) => {
  const existing = await startTestIngress(t);
  const env = await testIngressEnv({
    PORT: String(await freePort()),
    PRODUCT_EVENTS_TOPIC: existing.config.PRODUCT_EVENTS_TOPIC,
    PRODUCT_EVENTS_REPLICATION: '3',
  });
  const child = spawnService(t, 'ingress/src/main.ts', env);

  await waitFor(async () => (await fetch(`http://127.0.0.1:${env.PORT}/api/v1/ready`).catch(() => undefined))?.ok, {
    description: 'the ingress to be ready on the existing topics',
    timeoutMs: 60_000,
  });

  assert.equal(child.exitCode, null, 'still running');
});
