import { ConfigError } from '@vsp/platform';
import { loadPersistenceConfig } from './config.js';
import { migrate } from './migrate.js';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL without starting the processor. */
try {
  const applied = await migrate(loadPersistenceConfig().DATABASE_URL);
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'no pending migrations');
} catch (error) {
  console.error(`db:migrate: ${error instanceof ConfigError ? error.message : error}`);
  process.exitCode = 1;
}
