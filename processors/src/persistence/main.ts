import { createKafkaClient, createLogger, loadOrExit } from '@vsp/platform';
import pg from 'pg';
import { HealthServer } from '../runtime/health-server.js';
import { ProcessorMetrics } from '../runtime/processor-metrics.js';
import { runProcessor } from '../runtime/run-processor.js';
import { untilAvailable } from '../runtime/until-available.js';
import { loadPersistenceConfig } from './config.js';
import { classifyDatabaseError } from './database-errors.js';
import { migrate } from './migrate.js';
import { createPersistenceProcessor } from './persistence-processor.js';

const config = loadOrExit('persistence', () => loadPersistenceConfig());
const logger = createLogger({ name: 'persistence', level: config.LOG_LEVEL, logDir: config.LOG_DIR || undefined });
const applied = await untilAvailable('PostgreSQL', () => migrate(config.DATABASE_URL), logger, classifyDatabaseError);
if (applied.length > 0) logger.info(`Applied migrations: ${applied.join(', ')}`);

const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
// An idle client losing its connection (PostgreSQL restarting) must not crash the process.
pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost; the pool reconnects'));
const metrics = new ProcessorMetrics('visual_search_persistence_');
const kafka = createKafkaClient({ clientId: config.PERSISTENCE_GROUP_ID, brokers: config.KAFKA_BROKERS, logger });
const processor = createPersistenceProcessor({ config, kafka, pool, logger, metrics });

await runProcessor({
  title: 'Persistence processor',
  logger,
  processor,
  health: new HealthServer(metrics, () => processor.health()),
  port: config.PERSISTENCE_PORT,
  host: config.PERSISTENCE_HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  release: () => pool.end(),
});
