import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthServer } from '@vsp/processors';
import { createEventTopic, productEvent, startTestPersistence, type TestPersistence } from '@vsp/processors/testing';
import { onCleanup, stopService, waitFor } from '@vsp/test-harness';

const T0 = Date.UTC(2025, 10, 12, 10);
// What the issue asks of /health: degraded within 15 s of a dependency going down.
const WITHIN_MS = 15_000;

async function served(t: Parameters<typeof onCleanup>[0], persistence: TestPersistence) {
  const server = new HealthServer(persistence.metrics, () => persistence.health());
  const port = await server.listen(0, '127.0.0.1');
  onCleanup(t, () => server.close());
  return async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    return { status: response.status, body: (await response.json()) as { status: string; problems: string[] } };
  };
}

const naming = (dependency: string) => (report: { status: string; problems: string[] }) =>
  report.status === 'degraded' && report.problems.some((p) => p.startsWith(dependency));

test('processor health should report the lag of every assigned partition, also those that never delivered a batch', async (t) => {
  const topic = await createEventTopic(t, 3);
  await topic.produce([productEvent('product.created', 'only-one', T0, { title: 'Один' })]);
  const persistence = await startTestPersistence(t, topic.topic);
  await persistence.waitForHandled(1);

  const report = await waitFor(
    () => {
      const health = persistence.health();
      // The event is handled a moment before its offset is committed: a refresh in between says 1.
      const lags = Object.values(health.lag as object);
      return lags.length === 3 && lags.every((lag) => lag === 0) && health;
    },
    { description: 'lag 0 for all three partitions' },
  );

  assert.deepEqual(report.lag, { 0: 0, 1: 0, 2: 0 });
  assert.deepEqual((report.consumer as { assigned: number[] }).assigned, [0, 1, 2]);
  assert.equal(report.status, 'ok');
});

for (const { service, name, when } of [
  { service: 'kafka', name: 'Kafka', when: 'and ok once it is back' },
  { service: 'postgres', name: 'PostgreSQL', when: 'while idle, and ok once it is back' },
] as const) {
  test(`processor health should turn degraded, naming ${name}, within 15 s of it going down ${when}`, async (t) => {
    const topic = await createEventTopic(t, 3);
    const persistence = await startTestPersistence(t, topic.topic);
    const health = await served(t, persistence);
    await waitFor(async () => (await health()).status === 200, { description: 'health ok', timeoutMs: 30_000 });

    const stopped = await stopService(t, service);
    const down = await waitFor(
      async () => {
        const answer = await health();
        return naming(service)(answer.body) && answer;
      },
      { description: `health naming ${service}`, timeoutMs: WITHIN_MS, intervalMs: 250 },
    );
    t.diagnostic(down.body.problems.join('; '));
    assert.equal(down.status, 503);

    await stopped.restart();
    await waitFor(async () => (await health()).status === 200, { description: 'health ok again', timeoutMs: 60_000 });
  });
}
