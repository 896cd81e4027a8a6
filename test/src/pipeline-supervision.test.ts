import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { waitFor } from '@vsp/test-harness';
import { answers, startPipeline } from './support/pipeline-process.js';

const healthy = (port: number, description: string) =>
  waitFor(
    async () => {
      const health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json());
      return (health as { status: string }).status === 'ok';
    },
    { description, timeoutMs: 90_000, intervalMs: 250 },
  );

test('npm start should restart a processor killed with SIGKILL within seconds, healthy again within its session timeout and a little, while the ingress keeps serving', async (t) => {
  const { launcher, ports, started, output } = await startPipeline(t);
  const ingressPort = ports.ingress;
  const embeddingPort = ports.embedding;

  let ingressMisses = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      if (!(await answers(ingressPort, '/api/v1/health'))) ingressMisses++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  // A member of its group when killed: its partitions stay its own until its session times out.
  await healthy(embeddingPort, 'the embedding to be healthy before the kill');
  const killed = started.find((s) => s.name === 'embedding')?.pid as number;
  process.kill(killed, 'SIGKILL');
  const killedAt = Date.now();
  await waitFor(() => started.some((s) => s.name === 'embedding' && s.pid !== killed), {
    description: 'a new embedding process',
    timeoutMs: 30_000,
  });
  await waitFor(() => answers(embeddingPort, '/live'), {
    description: 'the new embedding to answer',
    timeoutMs: 60_000,
  });
  t.diagnostic(`embedding answered again ${Date.now() - killedAt} ms after SIGKILL`);
  // Stopped while still joining its group (the killed member holds its partitions until its
  // session times out), a consumer can take longer to leave than the shutdown allows.
  await healthy(embeddingPort, 'the new embedding to be healthy');
  const healthyMs = Date.now() - killedAt;
  t.diagnostic(`embedding was healthy again ${healthyMs} ms after SIGKILL`);
  polling = false;
  await poll;

  // The killed member holds its partitions until CONSUMER_SESSION_TIMEOUT_MS (10 s) has passed.
  assert.ok(healthyMs < 20_000, `healthy again ${healthyMs} ms after SIGKILL`);
  assert.equal(ingressMisses, 0, 'the ingress answered every poll');
  assert.equal(started.filter((s) => s.name === 'ingress').length, 1, 'the ingress was never restarted');
  assert.equal(started.filter((s) => s.name === 'persistence').length, 1, 'persistence was never restarted');
  launcher.kill('SIGTERM');
  const [code] = await once(launcher, 'exit');
  assert.equal(code, 0, output());
});

test('SIGINT to the pid of npm start should stop every service and the launcher, as Ctrl-C does', async (t) => {
  const { launcher, started, output } = await startPipeline(t, {}, { viaNpm: true });
  const services = started.map((s) => s.pid);

  launcher.kill('SIGINT');
  const [code] = await once(launcher, 'exit');

  assert.equal(code, 0, output());
  assert.equal(services.length, 4);
  const alive = services.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  assert.deepEqual(alive, [], 'no service outlives npm start');
  assert.match(output(), /pipeline: SIGINT, stopping ingress, persistence, embedding, search/);
});
