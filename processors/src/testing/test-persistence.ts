import {
  type CleanupContext,
  createKafka,
  createTestDatabase,
  ensureInfra,
  onCleanup,
  uniqueName,
} from '@vsp/test-harness';
import pino from 'pino';
import { loadPersistenceConfig, type PersistenceConfig } from '../persistence/config.js';
import { migrate } from '../persistence/migrate.js';
import { createPersistenceProcessor } from '../persistence/persistence-processor.js';
import type { HealthReport } from '../runtime/health-server.js';
import { ProcessorMetrics } from '../runtime/processor-metrics.js';
import { waitForHandled } from './processor-counters.js';

export interface TestPersistence {
  config: PersistenceConfig;
  metrics: ProcessorMetrics;
  health(): HealthReport;
  /** The test's own schema holds the products table. */
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Resolves once the processor has handled `count` records in all (any outcome). */
  waitForHandled(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real persistence processor consuming `topic` into a products table in a private SQL schema.
 * Overrides are environment variables, as an operator would set them. Closed after the test.
 */
export async function startTestPersistence(
  t: CleanupContext,
  topic: string,
  overrides: Record<string, string> = {},
): Promise<TestPersistence> {
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const database = await createTestDatabase(t);
  await migrate(database.url);
  const config = loadPersistenceConfig({
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    DATABASE_URL: database.url,
    PRODUCT_EVENTS_TOPIC: topic,
    PERSISTENCE_GROUP_ID: uniqueName('persistence'),
    RETRY_INITIAL_MS: '100',
    RETRY_MAX_MS: '1000',
    BREAKER_RESET_MS: '1000',
    LOG_DIR: '',
    ...overrides,
  });
  const metrics = new ProcessorMetrics('test_');
  const processor = createPersistenceProcessor({
    config,
    kafka: await createKafka(),
    pool: database.pool,
    logger: pino({ level: 'silent' }),
    metrics,
  });
  onCleanup(t, () => processor.close());
  await processor.start();
  return {
    config,
    metrics,
    health: () => processor.health(),
    query: async (sql, params) => (await database.pool.query(sql, params)).rows,
    waitForHandled: waitForHandled(metrics),
    close: () => processor.close(),
  };
}
