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
import type { EventTimePolicy } from '@vsp/schemas';
import type { EventLogSettings } from './event-log/event-log.js';

export const IngressConfigSchema = Type.Object({
  PORT: Type.Integer({ default: 8008, minimum: 0, maximum: 65535 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  /**
   * Processes serving the port (node:cluster), each with its own Kafka producer; 1 serves from
   * the process itself. Worth the cores the ingress has to itself: on a machine it shares with
   * Kafka and the load, a second worker only competes with them.
   */
  INGRESS_WORKERS: Type.Integer({ default: 1, minimum: 1 }),
  /** One secret, or several separated by commas while a secret is being rotated. */
  WEBHOOK_SECRET: Type.String({ minLength: 16, pattern: '^[^,]{16,}(,[^,]{16,})*$' }),
  WEBHOOK_BODY_LIMIT_BYTES: Type.Integer({ default: 1_048_576, minimum: 1_024 }),
  /** A request whose headers and body have not all arrived after this long is answered 408 and closed. */
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 1_000 }),
  /** How far ahead of our clock an event's timestamp may be; further is refused (422). */
  MAX_EVENT_TIME_SKEW_MS: Type.Integer({ default: 300_000, minimum: 0 }),
  /** The earliest event timestamp accepted (ISO 8601); earlier is refused (422). */
  MIN_EVENT_TIME: Type.String({ default: '2000-01-01T00:00:00Z', minLength: 1 }),
  ...eventLogSettings,
  KAFKA_CLIENT_ID: Type.String({ default: 'visual-search-ingress' }),
  PRODUCT_EVENTS_PARTITIONS: Type.Integer({ default: 12, minimum: 1 }),
  /** Replicas of each partition when the ingress creates the topics. Default: 3 on a cluster of 3+ brokers, else 1. */
  PRODUCT_EVENTS_REPLICATION: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Replicas that must have a write before it is acknowledged. Default: 2 with 3+ replicas, else 1. */
  PRODUCT_EVENTS_MIN_INSYNC_REPLICAS: Type.Optional(Type.Integer({ minimum: 1 })),
  /** How long a lone request waits for company before its batch is sent. */
  PRODUCER_LINGER_MS: Type.Integer({ default: 1, minimum: 0 }),
  PRODUCER_MAX_BATCH: Type.Integer({ default: 1_000, minimum: 1 }),
  /**
   * How long a webhook may wait for Kafka's acknowledgement; past it, 503 (it may still land:
   * at-least-once). A send that failed because a partition's leader was lost is tried again within
   * it: Kafka's default broker.session.timeout.ms is 9 s before a lost broker's partitions get new
   * leaders, so 10 s rides out one broker loss. An outage is refused at once, whatever this is.
   */
  PRODUCER_SEND_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100 }),
  /** Events waiting for Kafka at most; past that webhooks are answered 503 at once. */
  PRODUCER_MAX_PENDING: Type.Integer({ default: 10_000, minimum: 1 }),
  ...breakerSettings,
  ...loggingSettings,
  ...shutdownTimeout(10_000),
});

/** `npm run webhook:test`, the seed's webhook check against a running ingress. */
export const WebhookCheckConfigSchema = Type.Object({
  /** Default: this machine's ingress on the PORT it listens on. */
  WEBHOOK_TEST_URL: Type.Optional(Type.String()),
  PORT: IngressConfigSchema.properties.PORT,
  WEBHOOK_SECRET: Type.String({ minLength: 1 }),
});

type RawIngressConfig = Static<typeof IngressConfigSchema>;
export type IngressConfig = Readonly<
  Omit<RawIngressConfig, 'WEBHOOK_SECRET'> & { webhookSecrets: readonly string[]; eventTimePolicy: EventTimePolicy }
>;

export function loadIngressConfig(env?: Record<string, string | undefined>): IngressConfig {
  // An explicit environment (tests) is the whole truth; a process reads .env under its own environment.
  const raw = loadConfig(IngressConfigSchema, env ? { env } : { dotenvPath });
  const { WEBHOOK_SECRET, ...rest } = raw;
  const earliest = Date.parse(raw.MIN_EVENT_TIME);
  if (Number.isNaN(earliest)) throw new ConfigError([`MIN_EVENT_TIME "${raw.MIN_EVENT_TIME}" is not a date-time`]);
  return Object.freeze({
    ...rest,
    webhookSecrets: Object.freeze(WEBHOOK_SECRET.split(',')),
    eventTimePolicy: Object.freeze({ maxSkewMs: raw.MAX_EVENT_TIME_SKEW_MS, earliest }),
  });
}

/** The event log's settings, in its own terms. */
export function eventLogSettingsOf(config: IngressConfig): EventLogSettings {
  return {
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    topic: config.PRODUCT_EVENTS_TOPIC,
    partitions: config.PRODUCT_EVENTS_PARTITIONS,
    replication: {
      replicationFactor: config.PRODUCT_EVENTS_REPLICATION,
      minInsyncReplicas: config.PRODUCT_EVENTS_MIN_INSYNC_REPLICAS,
    },
    registryUrl: config.SCHEMA_REGISTRY_URL,
    publisher: {
      lingerMs: config.PRODUCER_LINGER_MS,
      maxBatch: config.PRODUCER_MAX_BATCH,
      sendTimeoutMs: config.PRODUCER_SEND_TIMEOUT_MS,
      maxPending: config.PRODUCER_MAX_PENDING,
      breakerResetMs: config.BREAKER_RESET_MS,
      breakerErrorPercent: config.BREAKER_ERROR_PERCENT,
      breakerVolumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
    },
  };
}
