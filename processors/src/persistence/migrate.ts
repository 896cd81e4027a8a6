import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Applies pending migrations (node-pg-migrate, SQL files in ./migrations) under an advisory lock,
 * so several processor instances starting at once migrate exactly once. Tables and the
 * migrations table go to the connection's current schema (its search_path), so a URL carrying
 * `options=-c search_path=...` gets a complete, separate copy.
 */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const schema = await currentSchema(databaseUrl);
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    schema,
    migrationsSchema: schema,
    advisoryLockMode: 'wait',
    log: () => {},
  });
  return applied.map((m) => m.name);
}

async function currentSchema(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ schema: string }>('SELECT current_schema() AS schema');
    return rows[0]?.schema ?? 'public';
  } finally {
    await client.end();
  }
}
