import { type Static, Type } from '@sinclair/typebox';
import { ConfigError, dotenvPath, loadConfig, repoRoot } from '@vsp/platform';

export const PersistenceConfigSchema = Type.Object({
  KAFKA_BROKERS: Type.String({ default: 'localhost:9092' }),
  SCHEMA_REGISTRY_URL: Type.String({ default: 'http://localhost:8081/apis/ccompat/v7' }),
  DATABASE_URL: Type.String({ default: 'postgres://postgres@127.0.0.1:5433/visual_search' }),
  DATABASE_POOL_SIZE: Type.Integer({ default: 8, minimum: 1 }),
  PRODUCT_EVENTS_TOPIC: Type.String({ default: 'product-events', minLength: 1 }),
  PERSISTENCE_GROUP_ID: Type.String({ default: 'visual-search-persistence', minLength: 1 }),
  /** /health and /metrics. */
  PERSISTENCE_PORT: Type.Integer({ default: 9101, minimum: 0, maximum: 65535 }),
  PERSISTENCE_HOST: Type.String({ default: '0.0.0.0' }),
  /** Partitions written at the same time; each batch is one transaction. */
  PERSISTENCE_CONCURRENCY: Type.Integer({ default: 4, minimum: 1 }),
  /** A member silent this long is dropped from the group and its partitions reassigned. */
  CONSUMER_SESSION_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 6_000 }),
  RETRY_INITIAL_MS: Type.Integer({ default: 200, minimum: 1 }),
  RETRY_MAX_MS: Type.Integer({ default: 10_000, minimum: 1 }),
  SINK_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100 }),
  BREAKER_RESET_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  BREAKER_ERROR_PERCENT: Type.Integer({ default: 50, minimum: 1, maximum: 100 }),
  BREAKER_VOLUME_THRESHOLD: Type.Integer({ default: 3, minimum: 1 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    {
      default: 'info',
    },
  ),
  LOG_DIR: Type.String({ default: `${repoRoot}logs` }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: 15_000, minimum: 100 }),
});

export type PersistenceConfig = Readonly<Static<typeof PersistenceConfigSchema>>;

export function loadPersistenceConfig(env?: Record<string, string | undefined>): PersistenceConfig {
  const config = loadConfig(PersistenceConfigSchema, env ? { env } : { dotenvPath });
  if (config.RETRY_INITIAL_MS > config.RETRY_MAX_MS) {
    throw new ConfigError([
      `RETRY_INITIAL_MS (${config.RETRY_INITIAL_MS}) must not exceed RETRY_MAX_MS (${config.RETRY_MAX_MS})`,
    ]);
  }
  return config;
}
