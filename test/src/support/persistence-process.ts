import {
  type CleanupContext,
  createTestDatabase,
  ensureInfra,
  freePort,
  type TestDatabase,
  uniqueName,
} from '@vsp/test-harness';

export interface PersistenceProcessSetup {
  /** The environment for `processors/src/persistence/main.ts`. */
  env: Record<string, string>;
  /** Its /health and /metrics port. */
  port: number;
  /** The test's own schema the process writes (it migrates it at start). */
  database: TestDatabase;
}

/**
 * What a real persistence process needs to run in a test: the real infra, a database schema and a
 * consumer group of its own, and a free port. Overrides are environment variables.
 */
export async function persistenceProcess(
  t: CleanupContext,
  { topic, overrides = {} }: { topic: string; overrides?: Record<string, string> },
): Promise<PersistenceProcessSetup> {
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const database = await createTestDatabase(t);
  const port = await freePort();
  const env = {
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    DATABASE_URL: database.url,
    PRODUCT_EVENTS_TOPIC: topic,
    PERSISTENCE_GROUP_ID: uniqueName('persistence'),
    PERSISTENCE_PORT: String(port),
    PERSISTENCE_HOST: '127.0.0.1',
    LOG_DIR: '',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
  return { env, port, database };
}
