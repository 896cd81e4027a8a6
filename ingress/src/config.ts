import { type Static, Type } from '@sinclair/typebox';
import {
  breakerSettings,
  dotenvPath,
  eventLogSettings,
  loadConfig,
  loggingSettings,
  shutdownTimeout,
} from '@vsp/platform';

export const IngressConfigSchema = Type.Object({
  PORT: Type.Integer({ default: 8008, minimum: 0, maximum: 65535 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  /** One secret, or several separated by commas while a secret is being rotated. */
  WEBHOOK_SECRET: Type.String({ minLength: 16, pattern: '^[^,]{16,}(,[^,]{16,})*$' }),
  WEBHOOK_BODY_LIMIT_BYTES: Type.Integer({ default: 1_048_576, minimum: 1_024 }),
  ...eventLogSettings,
  KAFKA_CLIENT_ID: Type.String({ default: 'visual-search-ingress' }),
  PRODUCT_EVENTS_PARTITIONS: Type.Integer({ default: 12, minimum: 1 }),
  PRODUCT_EVENTS_REPLICATION: Type.Integer({ default: 1, minimum: 1 }),
  /** How long a lone request waits for company before its batch is sent. */
  PRODUCER_LINGER_MS: Type.Integer({ default: 1, minimum: 0 }),
  PRODUCER_MAX_BATCH: Type.Integer({ default: 1_000, minimum: 1 }),
  /** A send that takes longer than this is answered 503 (it may still land: at-least-once). */
  PRODUCER_SEND_TIMEOUT_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  ...breakerSettings,
  ...loggingSettings,
  ...shutdownTimeout(10_000),
});

type RawIngressConfig = Static<typeof IngressConfigSchema>;
export type IngressConfig = Readonly<Omit<RawIngressConfig, 'WEBHOOK_SECRET'> & { webhookSecrets: readonly string[] }>;

export function loadIngressConfig(env?: Record<string, string | undefined>): IngressConfig {
  // An explicit environment (tests) is the whole truth; a process reads .env under its own environment.
  const raw = loadConfig(IngressConfigSchema, env ? { env } : { dotenvPath });
  const { WEBHOOK_SECRET, ...rest } = raw;
  return Object.freeze({ ...rest, webhookSecrets: Object.freeze(WEBHOOK_SECRET.split(',')) });
}
