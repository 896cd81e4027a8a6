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

/** A private SQL schema for one test, dropped with everything in it when the test ends. */
export async function createTestDatabase(t: CleanupContext): Promise<TestDatabase> {
  const { databaseUrl } = await ensureInfra();
  const schema = uniqueName('test');
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  onCleanup(t, async () => {
    await pool.end();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });
  return { pool, schema, url: url.toString() };
}
