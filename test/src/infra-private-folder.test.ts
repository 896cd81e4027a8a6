import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalInfra, loadInfraConfig } from '@vsp/infra';
import { ensureInfra, freePort, onCleanup } from '@vsp/test-harness';
import pg from 'pg';

test('infra should run PostgreSQL for a checkout in a folder closed to others without changing that folder, and wipe should delete the cluster it kept elsewhere', {
  skip: process.getuid?.() !== 0 && 'as root only: PostgreSQL then runs as the postgres user',
}, async (t) => {
  const closed = mkdtempSync(join(tmpdir(), 'private-checkout-'));
  onCleanup(t, () => rmSync(closed, { recursive: true, force: true }));
  const home = join(closed, 'checkout', '.infra');
  mkdirSync(home, { recursive: true });
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const infra = new LocalInfra(
    loadInfraConfig({
      INFRA_HOME: home,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
      INFRA_POSTGRES_PORT: String(await freePort()),
    }),
  );
  onCleanup(t, () => infra.wipe());

  const { started } = await infra.up();
  const client = new pg.Client({ connectionString: infra.endpoints.databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ answer: number }>('select 41 + 1 as answer');
  await client.end();
  const cluster = readlinkSync(join(home, 'data', 'postgres', 'cluster'));
  await infra.wipe();

  assert.deepEqual(
    started.map((service) => service.name),
    ['postgres'],
  );
  assert.equal(rows[0]?.answer, 42);
  assert.equal(statSync(closed).mode & 0o777, 0o700, 'the closed folder keeps its mode');
  assert.ok(!cluster.startsWith(closed), `the cluster (${cluster}) is where the postgres user can reach it`);
  assert.ok(!existsSync(cluster), 'wipe deleted the cluster kept outside INFRA_HOME');
});
