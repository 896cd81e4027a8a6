import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadInfraConfig } from '@vsp/infra';
import { ensureInfra, freePort, freePortPair, onCleanup } from '@vsp/test-harness';
import pg from 'pg';
import { type EntryRun, runEntry } from './support/service-process.js';

/** The last lines of every service log in `dir`: why a service did not become ready. */
function logTails(dir: string): string {
  return readdirSync(dir)
    .map((file) => `\n--- ${file}\n${readFileSync(join(dir, file), 'utf8').split('\n').slice(-30).join('\n')}`)
    .join('');
}

/**
 * A second checkout on the same host is a second INFRA_HOME; the harness's own infrastructure
 * plays the first. Every command gets only the settings a user would put in that checkout's .env.
 */
test('two checkouts with different INFRA_*_PORT settings should run side by side, each command following its own', async (t) => {
  await ensureInfra();
  const first = loadInfraConfig();
  // Qdrant runs only where QDRANT_BIN names a server binary.
  const services = ['kafka', 'schema-registry', 'postgres', ...(first.QDRANT_BIN ? ['qdrant'] : [])];
  const home = mkdtempSync(join(tmpdir(), 'second-checkout-'));
  const second = {
    INFRA_HOME: home,
    // Its own data, logs and ports, but the jars the first one fetched: the test is about ports.
    INFRA_CACHE_DIR: first.INFRA_CACHE_DIR,
    INFRA_KAFKA_PORT: String(await freePortPair()),
    INFRA_REGISTRY_PORT: String(await freePort()),
    INFRA_POSTGRES_PORT: String(await freePort()),
    INFRA_QDRANT_PORT: String(await freePortPair()),
    LOG_DIR: '',
  };
  onCleanup(t, async () => {
    // wipe, not down: the PostgreSQL cluster may live outside `home` (see infra-private-folder.test.ts).
    await runEntry('infra/src/cli.ts', ['wipe'], second);
    rmSync(home, { recursive: true, force: true });
  });
  const onFirstsPorts = {
    INFRA_HOME: home,
    INFRA_KAFKA_PORT: String(first.INFRA_KAFKA_PORT),
    INFRA_REGISTRY_PORT: String(first.INFRA_REGISTRY_PORT),
    INFRA_POSTGRES_PORT: String(first.INFRA_POSTGRES_PORT),
    INFRA_QDRANT_PORT: String(first.INFRA_QDRANT_PORT),
  };

  // Each step is checked as soon as it ran, so a failure shows that step's own output.
  const output = (run: EntryRun) => `${run.stdout}${run.stderr}`;
  const refused = await runEntry('infra/src/cli.ts', ['up'], onFirstsPorts);
  assert.equal(refused.code, 1, output(refused));
  assert.match(refused.stderr, /answers, but this checkout did not start it .*set INFRA_\w+_PORT to a free port/);
  assert.match(refused.stderr, /\(INFRA_PORT_TAKEN\)/);
  const refusedStatus = await runEntry('infra/src/cli.ts', ['status'], onFirstsPorts);
  assert.equal(refusedStatus.stdout.match(/TAKEN/g)?.length, services.length, output(refusedStatus));

  const up = await runEntry('infra/src/cli.ts', ['up'], second);
  assert.equal(up.code, 0, `${output(up)}${logTails(join(home, 'logs'))}`);
  assert.equal(up.stdout.match(/ running /g)?.length, services.length, output(up));
  assert.ok(up.stdout.includes(`localhost:${second.INFRA_KAFKA_PORT}`), output(up));

  const migrated = await runEntry('processors/src/persistence/migrate-cli.ts', [], second);
  assert.equal(migrated.code, 0, output(migrated));
  const secondDatabase = new pg.Client({
    connectionString: `postgres://postgres@127.0.0.1:${second.INFRA_POSTGRES_PORT}/visual_search`,
  });
  await secondDatabase.connect();
  const { rows } = await secondDatabase.query<{ n: string }>(
    "select count(*) as n from pg_tables where tablename = 'products'",
  );
  await secondDatabase.end();
  assert.equal(rows[0]?.n, '1', "db:migrate created the table in the second checkout's PostgreSQL");

  const created = await runEntry(
    'infra/src/cli.ts',
    ['kafka', 'topics', '--create', '--topic', 'only-in-the-second'],
    second,
  );
  assert.equal(created.code, 0, output(created));
  const secondTopics = await runEntry('infra/src/cli.ts', ['kafka', 'topics', '--list'], second);
  assert.match(secondTopics.stdout, /^only-in-the-second$/m, output(secondTopics));
  const firstTopics = await runEntry('infra/src/cli.ts', ['kafka', 'topics', '--list'], {});
  assert.equal(firstTopics.code, 0, output(firstTopics));
  assert.doesNotMatch(firstTopics.stdout, /only-in-the-second/);

  const down = await runEntry('infra/src/cli.ts', ['down'], second);
  assert.ok(down.stdout.includes(`stopped ${services.join(', ')}`), output(down));
  const firstStatus = await runEntry('infra/src/cli.ts', ['status'], {});
  assert.equal(
    firstStatus.stdout.match(/ running /g)?.length,
    services.length,
    `the first checkout's services still run:\n${output(firstStatus)}`,
  );
});
