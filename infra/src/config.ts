import { type Static, Type } from '@sinclair/typebox';
import { dotenvPath, loadConfig, repoRoot } from '@vsp/platform';

const InfraConfigSchema = Type.Object({
  /** Where downloads, data, logs and pid files live. Wipe it to start from nothing. */
  INFRA_HOME: Type.String({ default: `${repoRoot}.infra` }),
  /** Set any of these three to use an external service; infra then neither starts nor stops it. */
  KAFKA_BROKERS: Type.Optional(Type.String()),
  SCHEMA_REGISTRY_URL: Type.Optional(Type.String()),
  DATABASE_URL: Type.Optional(Type.String()),
  INFRA_KAFKA_PORT: Type.Integer({ default: 9092 }),
  INFRA_REGISTRY_PORT: Type.Integer({ default: 8081 }),
  INFRA_POSTGRES_PORT: Type.Integer({ default: 5433 }),
  INFRA_READY_TIMEOUT_MS: Type.Integer({ default: 120_000 }),
  /** Read only to know whether `npm start` must generate one (see webhook-secret.ts). */
  WEBHOOK_SECRET: Type.Optional(Type.String()),
});

export type InfraConfig = Readonly<Static<typeof InfraConfigSchema>>;

export function loadInfraConfig(env?: Record<string, string | undefined>): InfraConfig {
  return loadConfig(InfraConfigSchema, env ? { env } : { dotenvPath });
}
