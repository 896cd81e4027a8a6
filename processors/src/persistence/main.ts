import { createKafkaClient, createLogger, loadOrExit } from '@vsp/platform';
import closeWithGrace from 'close-with-grace';
import pg from 'pg';
import { HealthServer } from '../runtime/health-server.js';
import { ProcessorMetrics } from '../runtime/processor-metrics.js';
import { loadPersistenceConfig } from './config.js';
import { migrate } from './migrate.js';
import { createPersistenceProcessor } from './persistence-processor.js';

const config = loadOrExit('persistence', () => loadPersistenceConfig());

const logger = createLogger({ name: 'persistence', level: config.LOG_LEVEL, logDir: config.LOG_DIR || undefined });
const applied = await migrate(config.DATABASE_URL);
if (applied.length > 0) logger.info(`Applied migrations: ${applied.join(', ')}`);

const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
// An idle client losing its connection (PostgreSQL restarting) must not crash the process.
pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost; the pool reconnects'));
const metrics = new ProcessorMetrics('visual_search_persistence_');
const kafka = createKafkaClient({ clientId: config.PERSISTENCE_GROUP_ID, brokers: config.KAFKA_BROKERS, logger });
const processor = createPersistenceProcessor({ config, kafka, pool, logger, metrics });
const health = new HealthServer(metrics, () => processor.health());

// The one place that handles signals. Order: stop consuming (commit, leave the group), then the
// health endpoint, then the pool. A second signal, or the timeout, exits at once.
closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'Persistence processor stopping after an unexpected error');
  else logger.info(`Persistence processor stopping on ${signal}`);
  await processor.close();
  await health.close();
  await pool.end();
  logger.info('Persistence processor stopped');
  logger.flush();
});
processor.onFatal((error) => {
  logger.fatal({ err: error }, 'Kafka consumer crashed for good; exiting so the supervisor restarts us');
  process.exit(1);
});

await health.listen(config.PERSISTENCE_PORT, config.PERSISTENCE_HOST);
await processor.start();
