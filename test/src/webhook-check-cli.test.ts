import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestIngress, TEST_SECRET } from '@vsp/ingress/testing';
import { readRecords } from '@vsp/test-harness';
import { FROM_SOURCE, repoRoot } from './support/service-process.js';

const script = fileURLToPath(new URL('../../ingress/src/webhook-check-cli.ts', import.meta.url));

async function runSmokeTest(url: string, secret: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [...FROM_SOURCE, script], {
      cwd: repoRoot,
      env: { ...process.env, WEBHOOK_TEST_URL: url, WEBHOOK_SECRET: secret },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

test('webhook:test should print the seed checks and pass against a running ingress', async (t) => {
  const ingress = await startTestIngress(t);

  const { code, stdout } = await runSmokeTest(ingress.url, TEST_SECRET);

  assert.equal(code, 0, stdout);
  for (const line of [
    'Testing Webhook Endpoints',
    'Test 1: Webhook Health Check',
    '✓ Webhook health check passed',
    'Test 2: Product Created Event',
    '✓ Product created event processed',
    'Test 5: Image Updated Event',
    '✓ Image updated event processed',
    'All webhook tests passed! ✓',
  ]) {
    assert.ok(stdout.includes(`${line}\n`), `missing "${line}" in:\n${stdout}`);
  }
  const records = await readRecords(t, ingress.config.PRODUCT_EVENTS_TOPIC, 4);
  assert.deepEqual(records.map((r) => r.headers.event_type).sort(), [
    'product.created',
    'product.deleted',
    'product.image.updated',
    'product.updated',
  ]);
});

test('webhook:test should fail with exit code 1 when the ingress refuses its signature', async (t) => {
  const ingress = await startTestIngress(t);

  const { code, stdout } = await runSmokeTest(ingress.url, 'a-secret-the-ingress-does-not-know');

  assert.equal(code, 1);
  assert.match(stdout, /✗ Product Created Event failed: expected 200 .* got 401/);
  assert.doesNotMatch(stdout, /All webhook tests passed/);
});
