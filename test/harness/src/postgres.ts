import pg from 'pg';
import { ensureInfra } from './infra.js';
import { type CleanupContext, onCleanup } from './test-context.js';
import { uniqueName } from './unique-name.js';

export interface TestDatabase {
  /** A pool whose connections all use the test's own schema. */
  pool: pg.Pool;
  schema: string;
  /** Connection string that selects the same schema, for code that builds its own pool. */
  url: string;
}

async function run(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A private SQL schema for one test, dropped with everything in it when the test ends. */
export async function createTestDatabase(t: CleanupContext): Promise<TestDatabase> {
  const { databaseUrl } = await ensureInfra();
  const schema = uniqueName('test');
  await run(databaseUrl, `create schema ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 8 });
  // Tests stop PostgreSQL on purpose; a connection dying then, idle or checked out, is expected
  // (see processors' database-pool.ts for why each client needs its own listener).
  pool.on('connect', (client) => client.on('error', () => {}));
  pool.on('error', () => {});
  onCleanup(t, async () => {
    await pool.end();
    await run(databaseUrl, `drop schema ${schema} cascade`);
  });
  return { pool, schema, url: url.toString() };
}
