import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { migrate } from '@vsp/processors';
import { createEventTopic, productEvent } from '@vsp/processors/testing';
import { createKafka, stopService, waitFor } from '@vsp/test-harness';
import { persistenceProcess } from './support/persistence-process.js';
import { handledEvents, spawnService, untilHandled } from './support/service-process.js';
import { steadyLoad } from './support/steady-load.js';

const T0 = Date.UTC(2025, 10, 12, 10);
const APPLICATION = 'persistence-under-fault';
const product = (n: number) => productEvent('product.created', `p${n}`, T0 + n, { title: `Товар ${n}` });

interface Health {
  status: string;
  problems: string[];
  paused: { dependency: string } | null;
}

/** Long enough for the retries to back off past the breaker's rolling window (they did, and it never opened). */
const OUTAGE_MS = 12_000;

test('persistence should keep running through terminated backends and a PostgreSQL outage under load, pause while PostgreSQL is down and resume when it is back, dead-letter nothing, and end with every row', async (t) => {
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

  const load = steadyLoad(topic, 250, product);
  await untilHandled(port, 300, { description: 'the processor writing under load' });
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

  // Sampled throughout: when consumption paused, and when it resumed.
  const samples: { at: number; paused: boolean; problems: string[] }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const report = await health().catch(() => undefined);
      if (report) samples.push({ at: Date.now(), paused: report.paused !== null, problems: report.problems });
      await delay(100);
    }
  })();
  // The terminated backends may have paused it: the outage is measured from consumption running.
  await waitFor(() => samples.length > 0 && !samples.at(-1)?.paused, {
    description: 'consumption running before the outage',
    timeoutMs: 30_000,
  });
  const stopping = Date.now();
  const postgres = await stopService(t, 'postgres');
  const stoppedAt = Date.now();
  await delay(OUTAGE_MS);
  const down = samples.filter((s) => s.at > stoppedAt);
  await postgres.restart();
  const backAt = Date.now();
  await waitFor(() => samples.some((s) => s.at > backAt && !s.paused), {
    description: 'consumption to resume',
    timeoutMs: 30_000,
  });
  sampling = false;
  await sampler;
  const sent = await load.stop();
  const pausedAt = down.find((s) => s.paused)?.at;
  const resumedAt = samples.find((s) => s.at > backAt && !s.paused)?.at as number;
  t.diagnostic(
    `PostgreSQL stopped in ${stoppedAt - stopping} ms, down for ${backAt - stoppedAt} ms: paused ${pausedAt === undefined ? 'never' : `${pausedAt - stoppedAt} ms after the stop`}, ` +
      `resumed ${resumedAt - backAt} ms after it was back; ${down.filter((s) => s.paused).length} of ${down.length} samples while down paused`,
  );
  t.diagnostic(`while down: ${down.at(-1)?.problems.join('; ')}`);
  assert.ok(pausedAt !== undefined, 'consumption paused while PostgreSQL was down');
  assert.ok(
    down.at(-1)?.problems.some((p) => p.includes('postgres')),
    '/health names postgres',
  );

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
  const dlqOffsets = await admin.fetchTopicOffsets(topic.dlq);
  await admin.disconnect();
  assert.ok(
    dlqOffsets.every((p) => p.high === '0'),
    'the DLQ stayed empty',
  );
  t.diagnostic(`${sent} events at 250/s; ${await handledEvents(port)} handled`);
});
