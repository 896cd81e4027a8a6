import { createKafkaClient, createServiceLogger, loadOrExit } from '@vsp/platform';
import { HealthServer } from '../runtime/health-server.js';
import { ProcessorMetrics } from '../runtime/processor-metrics.js';
import { runProcessor } from '../runtime/run-processor.js';
import { untilAvailable } from '../runtime/until-available.js';
import { loadPersistenceConfig } from './config.js';
import { classifyDatabaseError } from './database-errors.js';
import { createDatabasePool } from './database-pool.js';
import { migrate } from './migrate.js';
import { createPersistenceProcessor } from './persistence-processor.js';

const config = loadOrExit('persistence', () => loadPersistenceConfig());
const logger = createServiceLogger('persistence', config);
const applied = await untilAvailable('PostgreSQL', () => migrate(config.DATABASE_URL), {
  logger,
  classify: classifyDatabaseError,
});
if (applied.length > 0) logger.info(`Applied migrations: ${applied.join(', ')}`);

const pool = createDatabasePool({ url: config.DATABASE_URL, size: config.DATABASE_POOL_SIZE, logger });
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
