import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testIngressEnv } from '@vsp/ingress/testing';
import { createEventTopic } from '@vsp/processors/testing';
import { createTestDatabase, createVectorIndex, freePort, onCleanup, uniqueName, waitFor } from '@vsp/test-harness';
import { FROM_SOURCE } from './support/service-process.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

test('npm start should restart a processor killed with SIGKILL within seconds while the ingress keeps serving', async (t) => {
  const topic = await createEventTopic(t, 3);
  const database = await createTestDatabase(t);
  const index = await createVectorIndex(t);
  const cache = mkdtempSync(join(tmpdir(), 'pipeline-'));
  onCleanup(t, () => rmSync(cache, { recursive: true, force: true }));
  const [ingressPort, persistencePort, embeddingPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...(await testIngressEnv({ PORT: String(ingressPort), PRODUCT_EVENTS_TOPIC: topic.topic })),
    DATABASE_URL: database.url,
    QDRANT_URL: index.qdrantUrl,
    VECTOR_ALIAS: index.alias,
    PERSISTENCE_GROUP_ID: uniqueName('persistence'),
    PERSISTENCE_PORT: String(persistencePort),
    PERSISTENCE_HOST: '127.0.0.1',
    EMBEDDING_GROUP_ID: uniqueName('embedding'),
    EMBEDDING_PORT: String(embeddingPort),
    EMBEDDING_HOST: '127.0.0.1',
    MODEL_CACHE_DIR: cache,
    LOG_LEVEL: 'warn',
  };
  const launcher = spawn(process.execPath, [...FROM_SOURCE, 'infra/src/cli.ts', 'start'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  onCleanup(t, async () => {
    if (launcher.exitCode !== null || launcher.signalCode !== null) return;
    launcher.kill('SIGTERM');
    await once(launcher, 'exit');
  });
  const started: { name: string; pid: number }[] = [];
  let output = '';
  launcher.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const [, name, pid] of chunk.toString().matchAll(/pipeline: started (\w+) \(pid (\d+)\)/g)) {
      started.push({ name: name as string, pid: Number(pid) });
    }
  });
  const answers = async (port: number, path: string) =>
    (await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined))?.status === 200;
  await waitFor(
    async () =>
      (await answers(ingressPort, '/api/v1/health')) &&
      (await answers(persistencePort, '/live')) &&
      (await answers(embeddingPort, '/live')),
    { description: 'the three services to answer', timeoutMs: 120_000, intervalMs: 250 },
  );

  let ingressMisses = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      if (!(await answers(ingressPort, '/api/v1/health'))) ingressMisses++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
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
  await waitFor(
    async () => {
      const health = await fetch(`http://127.0.0.1:${embeddingPort}/health`).then((r) => r.json());
      return (health as { consumer: { state: string } }).consumer.state === 'member';
    },
    { description: 'the new embedding to join its group', timeoutMs: 90_000, intervalMs: 500 },
  );
  polling = false;
  await poll;

  assert.equal(ingressMisses, 0, 'the ingress answered every poll');
  assert.equal(started.filter((s) => s.name === 'ingress').length, 1, 'the ingress was never restarted');
  assert.equal(started.filter((s) => s.name === 'persistence').length, 1, 'persistence was never restarted');
  launcher.kill('SIGTERM');
  const [code] = await once(launcher, 'exit');
  assert.equal(code, 0, output);
});
