import { runCommandLine, UsageError } from '@vsp/platform';
import { loadPersistenceConfig } from './config.js';
import { migrate } from './migrate.js';

await runCommandLine({
  name: 'db:migrate',
  usage: `usage: npm run db:migrate
  Applies pending migrations to DATABASE_URL (the products table) without starting the processor;
  the persistence processor also applies them when it starts.`,
  options: {},
  async run({ positionals }) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const applied = await migrate(loadPersistenceConfig().DATABASE_URL);
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'no pending migrations');
    return 0;
  },
});
