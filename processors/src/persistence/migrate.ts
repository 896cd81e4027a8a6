import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Applies pending migrations (node-pg-migrate, SQL files in ./migrations) under an advisory lock,
 * so several processor instances starting at once migrate exactly once.
 */
export async function migrate(databaseUrl: string, { schema }: { schema?: string } = {}): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    ...(schema ? { schema, migrationsSchema: schema } : {}),
    advisoryLockMode: 'wait',
    log: () => {},
  });
  return applied.map((m) => m.name);
}
