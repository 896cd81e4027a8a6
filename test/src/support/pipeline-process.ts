import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testIngressEnv } from '@vsp/ingress/testing';
import { createEventTopic, TEST_MODEL } from '@vsp/processors/testing';
import { dlqTopicName } from '@vsp/schemas';
import {
  type CleanupContext,
  createKafka,
  createTestDatabase,
  createVectorIndex,
  deleteSubjectAfter,
  freePort,
  onCleanup,
  uniqueName,
  waitFor,
} from '@vsp/test-harness';
import { FROM_SOURCE, repoRoot } from './service-process.js';

export interface PipelineProcess {
  launcher: ChildProcess;
  env: Record<string, string>;
  ports: { ingress: number; persistence: number; embedding: number; search: number };
  /** Every service start the launcher reported, restarts included. */
  started: { name: string; pid: number }[];
  /** What the launcher and its services wrote so far (stdout and stderr). */
  output(): string;
}

/**
 * `npm start` as a process (the launcher runs the compiled services, so `npm run build` comes
 * first; `viaNpm` runs `npm start` itself, build step included), on a topic, database, index and
 * ports of its own; stopped after the test. Resolves once the ingress is ready for webhooks and
 * the other three services answer. With `firstStart`, the topics do not exist yet and the ingress
 * creates them, as on the first `npm start` of a checkout.
 */
export async function startPipeline(
  t: CleanupContext,
  overrides: Record<string, string> = {},
  { viaNpm = false, firstStart = false } = {},
): Promise<PipelineProcess> {
  const topic = firstStart ? await topicLeftToTheIngress(t) : (await createEventTopic(t, 3)).topic;
  const database = await createTestDatabase(t);
  const index = await createVectorIndex(t, overrides.VECTOR_STORE);
  const cache = mkdtempSync(join(tmpdir(), 'pipeline-'));
  onCleanup(t, () => rmSync(cache, { recursive: true, force: true }));
  const ports = {
    ingress: await freePort(),
    persistence: await freePort(),
    embedding: await freePort(),
    search: await freePort(),
  };
  const env = {
    ...(await testIngressEnv({ PORT: String(ports.ingress), PRODUCT_EVENTS_TOPIC: topic })),
    DATABASE_URL: database.url,
    ...index.env,
    PERSISTENCE_GROUP_ID: uniqueName('persistence'),
    PERSISTENCE_PORT: String(ports.persistence),
    PERSISTENCE_HOST: '127.0.0.1',
    EMBEDDING_GROUP_ID: uniqueName('embedding'),
    EMBEDDING_PORT: String(ports.embedding),
    EMBEDDING_HOST: '127.0.0.1',
    SEARCH_PORT: String(ports.search),
    SEARCH_HOST: '127.0.0.1',
    MODEL: TEST_MODEL,
    MODEL_CACHE_DIR: cache,
    LOG_LEVEL: 'warn',
    ...overrides,
  };
  // Through npm as a user types it, or the launcher itself.
  const [command, args] = viaNpm
    ? ['npm', ['start']]
    : [process.execPath, [...FROM_SOURCE, 'infra/src/cli.ts', 'start']];
  const launcher = spawn(command as string, args as string[], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(t, async () => {
    if (launcher.exitCode !== null || launcher.signalCode !== null) return;
    launcher.kill('SIGTERM');
    await once(launcher, 'exit');
  });
  const started: { name: string; pid: number }[] = [];
  let output = '';
  launcher.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  launcher.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const [, name, pid] of chunk.toString().matchAll(/pipeline: started (\w+) \(pid (\d+)\)/g)) {
      started.push({ name: name as string, pid: Number(pid) });
    }
  });
  const ready = waitFor(
    async () =>
      // Ready, not only alive: until its producer is connected the ingress answers webhooks 503.
      (await answers(ports.ingress, '/api/v1/ready')) &&
      (await answers(ports.persistence, '/live')) &&
      (await answers(ports.embedding, '/live')) &&
      (await answers(ports.search, '/api/v1/health')),
    { description: 'the ingress ready and the other services answering', timeoutMs: 120_000, intervalMs: 250 },
  );
  const exited = once(launcher, 'exit').then(() => {
    throw new Error('the launcher exited');
  });
  await Promise.race([ready, exited]).catch((error: Error) => {
    throw new Error(`${error.message} before the services answered; it wrote:\n${output.slice(-4_000)}`, {
      cause: error,
    });
  });
  return { launcher, env, ports, started, output: () => output };
}

/** A topic name the ingress will create (with its DLQ and schema subject), all removed after the test. */
async function topicLeftToTheIngress(t: CleanupContext): Promise<string> {
  const topic = uniqueName('product-events');
  await deleteSubjectAfter(t, `${topic}-value`);
  onCleanup(t, async () => {
    const admin = (await createKafka()).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopicName(topic)] }).catch(() => {});
    await admin.disconnect();
  });
  return topic;
}

export async function answers(port: number, path: string): Promise<boolean> {
  return (await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined))?.status === 200;
}
