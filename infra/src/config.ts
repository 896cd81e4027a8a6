import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { dotenvPath, infraPortSettings, loadConfig, repoRoot } from '@vsp/platform';

export const InfraConfigSchema = Type.Object({
  /** Where downloads, data, logs and pid files live. Wipe it to start from nothing. */
  INFRA_HOME: Type.String({ default: `${repoRoot}.infra` }),
  /** Downloaded jars and archives; several checkouts may share one. Default: INFRA_HOME/cache. */
  INFRA_CACHE_DIR: Type.Optional(Type.String()),
  /** Set any of these four to use an external service; infra then neither starts nor stops it. */
  KAFKA_BROKERS: Type.Optional(Type.String()),
  SCHEMA_REGISTRY_URL: Type.Optional(Type.String()),
  DATABASE_URL: Type.Optional(Type.String()),
  QDRANT_URL: Type.Optional(Type.String()),
  /**
   * A Qdrant server binary for infra to run when QDRANT_URL is unset. With neither, no Qdrant runs
   * and the index is embedded in the processes (VECTOR_DATA_DIR).
   */
  QDRANT_BIN: Type.Optional(Type.String({ minLength: 1 })),
  /** Read only to say at start-up which store serves (the services check it). */
  VECTOR_STORE: Type.Optional(Type.String()),
  ...infraPortSettings,
  INFRA_READY_TIMEOUT_MS: Type.Integer({ default: 120_000 }),
  /** Read only to know whether `npm start` must generate one (see webhook-secret.ts). */
  WEBHOOK_SECRET: Type.Optional(Type.String()),
});

export type InfraConfig = Readonly<Static<typeof InfraConfigSchema> & { INFRA_CACHE_DIR: string }>;

export function loadInfraConfig(env?: Record<string, string | undefined>): InfraConfig {
  const config = loadConfig(InfraConfigSchema, env ? { env } : { dotenvPath });
  return Object.freeze({ ...config, INFRA_CACHE_DIR: config.INFRA_CACHE_DIR ?? join(config.INFRA_HOME, 'cache') });
}
