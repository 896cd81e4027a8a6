import { Type } from '@sinclair/typebox';
import { repoRoot } from './repo-paths.js';

/**
 * Settings several processes read, defined once so that a name means the same thing, with the
 * same default, everywhere. Each service spreads the groups it needs into its own schema.
 */
export const eventLogSettings = {
  /** Default for both: this checkout's infrastructure (see service-addresses.ts). */
  KAFKA_BROKERS: Type.String({ minLength: 1 }),
  SCHEMA_REGISTRY_URL: Type.String({ minLength: 1 }),
  PRODUCT_EVENTS_TOPIC: Type.String({ default: 'product-events', minLength: 1 }),
};

/** A circuit breaker on the dependency a service cannot work without. */
export const breakerSettings = {
  /** Once open, the breaker refuses at once for this long, then lets one probe through. */
  BREAKER_RESET_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  BREAKER_ERROR_PERCENT: Type.Integer({ default: 50, minimum: 1, maximum: 100 }),
  BREAKER_VOLUME_THRESHOLD: Type.Integer({ default: 3, minimum: 1 }),
};

export const loggingSettings = {
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** Daily seed-format files app_YYYY-MM-DD.log; empty string turns them off. */
  LOG_DIR: Type.String({ default: `${repoRoot}logs` }),
};

/** Graceful shutdown limit; a second signal exits at once. */
export const shutdownTimeout = (defaultMs: number) => ({
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: defaultMs, minimum: 100 }),
});
