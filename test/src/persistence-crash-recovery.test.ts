import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { catalogueHistories, createEventTopic, expectedCatalogue, SELECT_CATALOGUE } from '@vsp/processors/testing';
import { createTestDatabase, ensureInfra, freePort, onCleanup, uniqueName, waitFor } from '@vsp/test-harness';

const main = fileURLToPath(new URL('../../processors/src/persistence/main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Sum of the processor's events_total, read from its own /metrics endpoint. */
async function handled(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^visual_search_processor_events_total\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

test('persistence killed with SIGKILL mid-stream should, once restarted, end with every row correct', async (t) => {
  const products = 12_000;
  const topic = await createEventTopic(t, 3);
  const events = catalogueHistories(products).flat();
  await topic.produce(events);
  const database = await createTestDatabase(t);
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const port = await freePort();
  const env = {
    ...process.env,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    DATABASE_URL: database.url,
    PRODUCT_EVENTS_TOPIC: topic.topic,
    PERSISTENCE_GROUP_ID: uniqueName('persistence'),
    PERSISTENCE_PORT: String(port),
    PERSISTENCE_HOST: '127.0.0.1',
    LOG_DIR: '',
    LOG_LEVEL: 'warn',
    // The killed member is noticed after this long; the default 30 s would only slow the test.
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
  };
  const start = (): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    onCleanup(t, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return child;
  };

  const first = start();
  const atKill = await waitFor(
    async () => {
      const count = await handled(port).catch(() => 0);
      return count >= events.length / 10 && count;
    },
    { description: 'the first run to be under way', timeoutMs: 120_000, intervalMs: 20 },
  );
  first.kill('SIGKILL');
  await once(first, 'exit');
  t.diagnostic(`killed after ${atKill} of ${events.length} events were handled`);
  assert.ok(atKill < events.length, 'the kill came before the end of the stream');

  const second = start();
  const expected = expectedCatalogue(products);
  await waitFor(
    async () => {
      const rows = (await database.pool.query(SELECT_CATALOGUE)).rows;
      return rows.length === expected.length && JSON.stringify(rows) === JSON.stringify(expected);
    },
    { description: 'every row to reach its final state', timeoutMs: 120_000, intervalMs: 500 },
  );
  second.kill('SIGTERM');
  const [code] = await once(second, 'exit');
  assert.equal(code, 0);
});
