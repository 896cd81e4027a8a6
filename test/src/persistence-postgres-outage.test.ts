import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { migrate } from '@vsp/processors';
import { createEventTopic, productEvent } from '@vsp/processors/testing';
import { createKafka, stopService, waitFor } from '@vsp/test-harness';
import { persistenceProcess } from './support/persistence-process.js';
import { handledEvents, spawnService } from './support/service-process.js';
import { steadyLoad } from './support/steady-load.js';

const T0 = Date.UTC(2025, 10, 12, 10);
const APPLICATION = 'persistence-under-fault';
const product = (n: number) => productEvent('product.created', `p${n}`, T0 + n, { title: `Товар ${n}` });

interface Health {
  status: string;
  problems: string[];
}

test('persistence should keep running through terminated backends and a PostgreSQL outage under load, dead-letter nothing, and end with every row', async (t) => {
  const topic = await createEventTopic(t, 3);
  const { env, port, database } = await persistenceProcess(t, {
    topic: topic.topic,
    overrides: { LOG_LEVEL: 'fatal' },
  });
  await migrate(database.url);
  const url = new URL(database.url);
  url.searchParams.set('application_name', APPLICATION);
  const child = spawnService(t, 'processors/src/persistence/main.ts', { ...env, DATABASE_URL: url.toString() });
  let exit: string | undefined;
  child.on('exit', (code, signal) => {
    exit = `code ${code}, signal ${signal}`;
  });
  const health = async (): Promise<Health> =>
    (await fetch(`http://127.0.0.1:${port}/health`)).json() as Promise<Health>;

  const load = steadyLoad(topic, 300, product);
  await waitFor(async () => (await handledEvents(port).catch(() => 0)) >= 300, {
    description: 'the processor writing under load',
    timeoutMs: 60_000,
  });
  // Terminated again and again for 3 s: some land mid-transaction, between two queries.
  let terminated = 0;
  for (const until = Date.now() + 3_000; Date.now() < until; ) {
    const { rows } = await database.pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [APPLICATION],
    );
    terminated += rows.length;
    await delay(20);
  }
  t.diagnostic(`terminated ${terminated} backends of the processor while it wrote`);

  const postgres = await stopService(t, 'postgres');
  const degraded = await waitFor(
    async () => {
      const report = await health();
      return report.status === 'degraded' && report.problems.some((p) => p.includes('postgres')) && report;
    },
    { description: '/health to name postgres', timeoutMs: 30_000, intervalMs: 250 },
  );
  t.diagnostic(`while down: ${degraded.problems.join('; ')}`);
  await postgres.restart();
  const sent = await load.stop();

  await waitFor(
    async () => {
      const { rows } = await database.pool.query<{ count: string }>('SELECT count(*) FROM products');
      return Number(rows[0]?.count) === sent;
    },
    { description: `all ${sent} rows`, timeoutMs: 120_000, intervalMs: 500 },
  );
  const { rows } = await database.pool.query<{ product_id: string; title: string }>(
    'SELECT product_id, title FROM products',
  );
  assert.ok(rows.every((r) => r.title === `Товар ${r.product_id.slice(1)}`));
  assert.equal(exit, undefined, 'the processor never exited');
  await waitFor(async () => (await health()).status === 'ok', { description: '/health ok again', timeoutMs: 30_000 });
  const admin = (await createKafka()).admin();
  await admin.connect();
  const dlqOffsets = await admin.fetchTopicOffsets(`${topic.topic}.dlq`);
  await admin.disconnect();
  assert.ok(
    dlqOffsets.every((p) => p.high === '0'),
    'the DLQ stayed empty',
  );
  t.diagnostic(`${sent} events at 300/s; ${await handledEvents(port)} handled`);
});
