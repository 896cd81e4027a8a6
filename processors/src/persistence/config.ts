import { type Static, Type } from '@sinclair/typebox';
import { dotenvPath, eventLogSettings, loadConfig, loggingSettings, shutdownTimeout } from '@vsp/platform';
import { checkConsumerSettings, consumerSettings } from '../runtime/consumer-settings.js';

export const PersistenceConfigSchema = Type.Object({
  ...eventLogSettings,
  /** Default: this checkout's PostgreSQL (INFRA_POSTGRES_PORT). */
  DATABASE_URL: Type.String({ minLength: 1 }),
  DATABASE_POOL_SIZE: Type.Integer({ default: 8, minimum: 1 }),
  PERSISTENCE_GROUP_ID: Type.String({ default: 'visual-search-persistence', minLength: 1 }),
  /** /health and /metrics. */
  PERSISTENCE_PORT: Type.Integer({ default: 9101, minimum: 0, maximum: 65535 }),
  PERSISTENCE_HOST: Type.String({ default: '0.0.0.0' }),
  /** Partitions written at the same time; each batch is one transaction. */
  PERSISTENCE_CONCURRENCY: Type.Integer({ default: 4, minimum: 1 }),
  ...consumerSettings({ sinkTimeoutMs: 30_000, writeMaxRecords: 20_000 }),
  ...loggingSettings,
  ...shutdownTimeout(15_000),
});

export type PersistenceConfig = Readonly<Static<typeof PersistenceConfigSchema>>;

export function loadPersistenceConfig(env?: Record<string, string | undefined>): PersistenceConfig {
  return checkConsumerSettings(loadConfig(PersistenceConfigSchema, env ? { env } : { dotenvPath }));
}
