import { Type } from '@sinclair/typebox';
import { breakerSettings, ConfigError } from '@vsp/platform';
import { dlqTopicName } from '@vsp/schemas';
import type { ConsumerRuntimeOptions } from './runtime-options.js';

/** The settings every processor's consumer runtime reads; each processor spreads them into its schema. */
export const consumerSettings = ({
  sinkTimeoutMs,
  writeMaxRecords,
}: {
  sinkTimeoutMs: number;
  writeMaxRecords: number;
}) => ({
  /**
   * A member silent this long is dropped from the group and its partitions reassigned. Also how
   * long a processor restarted after a crash waits for its partitions: its killed self holds them
   * until then. The runtime heartbeats through long writes, so only a dead or frozen process is silent.
   */
  CONSUMER_SESSION_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 6_000 }),
  RETRY_INITIAL_MS: Type.Integer({ default: 200, minimum: 1 }),
  RETRY_MAX_MS: Type.Integer({ default: 10_000, minimum: 1 }),
  /** A batch write slower than this counts as failed and is retried (writes are idempotent). */
  SINK_TIMEOUT_MS: Type.Integer({ default: sinkTimeoutMs, minimum: 100 }),
  /** Records per sink write at most: bounds a write's memory and duration. */
  SINK_WRITE_MAX_RECORDS: Type.Integer({ default: writeMaxRecords, minimum: 1 }),
  /** How often /health probes Kafka and the sink and refreshes the lag of every assigned partition. */
  HEALTH_CHECK_INTERVAL_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  /** A batch waiting this long for a failing dependency makes /health say "stalled". */
  HEALTH_STALL_MS: Type.Integer({ default: 60_000, minimum: 1_000 }),
  ...breakerSettings,
});

export interface ConsumerSettings {
  PRODUCT_EVENTS_TOPIC: string;
  CONSUMER_SESSION_TIMEOUT_MS: number;
  RETRY_INITIAL_MS: number;
  RETRY_MAX_MS: number;
  SINK_TIMEOUT_MS: number;
  SINK_WRITE_MAX_RECORDS: number;
  HEALTH_CHECK_INTERVAL_MS: number;
  HEALTH_STALL_MS: number;
  BREAKER_RESET_MS: number;
  BREAKER_ERROR_PERCENT: number;
  BREAKER_VOLUME_THRESHOLD: number;
}

/** The rules between settings that a schema cannot state. */
export function checkConsumerSettings<C extends ConsumerSettings>(config: C): C {
  if (config.RETRY_INITIAL_MS > config.RETRY_MAX_MS) {
    throw new ConfigError([
      `RETRY_INITIAL_MS (${config.RETRY_INITIAL_MS}) must not exceed RETRY_MAX_MS (${config.RETRY_MAX_MS})`,
    ]);
  }
  return config;
}

/** The runtime options that come straight from the settings. */
export type RuntimeSettings = Pick<
  ConsumerRuntimeOptions<unknown>,
  'topic' | 'dlqTopic' | 'sessionTimeoutMs' | 'sink' | 'retry' | 'health'
>;

/** The runtime's settings, for a sink named `sinkName` (e.g. "postgres"). */
export function runtimeOptionsFrom(config: ConsumerSettings, sinkName: string): RuntimeSettings {
  return {
    topic: config.PRODUCT_EVENTS_TOPIC,
    dlqTopic: dlqTopicName(config.PRODUCT_EVENTS_TOPIC),
    sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
    sink: {
      name: sinkName,
      timeoutMs: config.SINK_TIMEOUT_MS,
      maxRecordsPerWrite: config.SINK_WRITE_MAX_RECORDS,
      breaker: {
        resetMs: config.BREAKER_RESET_MS,
        errorPercent: config.BREAKER_ERROR_PERCENT,
        volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      },
    },
    retry: { initialMs: config.RETRY_INITIAL_MS, maxMs: config.RETRY_MAX_MS },
    health: { intervalMs: config.HEALTH_CHECK_INTERVAL_MS, stallAfterMs: config.HEALTH_STALL_MS },
  };
}
