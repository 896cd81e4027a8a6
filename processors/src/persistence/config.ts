import { type Static, Type } from '@sinclair/typebox';
import {
  breakerSettings,
  ConfigError,
  dotenvPath,
  eventLogSettings,
  loadConfig,
  loggingSettings,
  shutdownTimeout,
} from '@vsp/platform';

export const PersistenceConfigSchema = Type.Object({
  ...eventLogSettings,
  DATABASE_URL: Type.String({ default: 'postgres://postgres@127.0.0.1:5433/visual_search' }),
  DATABASE_POOL_SIZE: Type.Integer({ default: 8, minimum: 1 }),
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
  ...breakerSettings,
  ...loggingSettings,
  ...shutdownTimeout(15_000),
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
