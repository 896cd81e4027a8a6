import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadInfraConfig } from '@vsp/infra';
import { ensureInfra, freePort, freePortPair, onCleanup } from '@vsp/test-harness';
import pg from 'pg';
import { runEntry } from './support/service-process.js';

/**
 * A second checkout on the same host is a second INFRA_HOME; the harness's own infrastructure
 * plays the first. Every command gets only the settings a user would put in that checkout's .env.
 */
test('two checkouts with different INFRA_*_PORT settings should run side by side, each command following its own', async (t) => {
  await ensureInfra();
  const first = loadInfraConfig();
  const home = mkdtempSync(join(tmpdir(), 'second-checkout-'));
  const second = {
    INFRA_HOME: home,
    INFRA_KAFKA_PORT: String(await freePortPair()),
    INFRA_REGISTRY_PORT: String(await freePort()),
    INFRA_POSTGRES_PORT: String(await freePort()),
    INFRA_QDRANT_PORT: String(await freePortPair()),
    LOG_DIR: '',
  };
  onCleanup(t, async () => {
    await runEntry('infra/src/cli.ts', ['down'], second);
    rmSync(home, { recursive: true, force: true });
  });
  const onFirstsPorts = {
    INFRA_HOME: home,
    INFRA_KAFKA_PORT: String(first.INFRA_KAFKA_PORT),
    INFRA_REGISTRY_PORT: String(first.INFRA_REGISTRY_PORT),
    INFRA_POSTGRES_PORT: String(first.INFRA_POSTGRES_PORT),
    INFRA_QDRANT_PORT: String(first.INFRA_QDRANT_PORT),
  };

  const refused = await runEntry('infra/src/cli.ts', ['up'], onFirstsPorts);
  const refusedStatus = await runEntry('infra/src/cli.ts', ['status'], onFirstsPorts);
  const up = await runEntry('infra/src/cli.ts', ['up'], second);
  const migrated = await runEntry('processors/src/persistence/migrate-cli.ts', [], second);
  const created = await runEntry(
    'infra/src/cli.ts',
    ['kafka', 'topics', '--create', '--topic', 'only-in-the-second'],
    second,
  );
  const secondTopics = await runEntry('infra/src/cli.ts', ['kafka', 'topics', '--list'], second);
  const firstTopics = await runEntry('infra/src/cli.ts', ['kafka', 'topics', '--list'], {});
  const secondDatabase = new pg.Client({
    connectionString: `postgres://postgres@127.0.0.1:${second.INFRA_POSTGRES_PORT}/visual_search`,
  });
  await secondDatabase.connect();
  const { rows } = await secondDatabase.query<{ n: string }>(
    "select count(*) as n from pg_tables where tablename = 'products'",
  );
  await secondDatabase.end();
  const down = await runEntry('infra/src/cli.ts', ['down'], second);
  const firstStatus = await runEntry('infra/src/cli.ts', ['status'], {});

  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /answers, but this checkout did not start it .*set INFRA_\w+_PORT to a free port/);
  assert.match(refused.stderr, /\(INFRA_PORT_TAKEN\)/);
  assert.equal(refusedStatus.stdout.match(/TAKEN/g)?.length, 4, refusedStatus.stdout);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(up.stdout.match(/ running /g)?.length, 4, up.stdout);
  assert.ok(up.stdout.includes(`localhost:${second.INFRA_KAFKA_PORT}`), up.stdout);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.equal(rows[0]?.n, '1', "db:migrate created the table in the second checkout's PostgreSQL");
  assert.equal(created.code, 0, created.stderr);
  assert.match(secondTopics.stdout, /^only-in-the-second$/m);
  assert.equal(firstTopics.code, 0, firstTopics.stderr);
  assert.doesNotMatch(firstTopics.stdout, /only-in-the-second/);
  assert.match(down.stdout, /stopped kafka, schema-registry, postgres, qdrant/);
  assert.equal(
    firstStatus.stdout.match(/ running /g)?.length,
    4,
    `the first checkout's services still run:\n${firstStatus.stdout}`,
  );
});
