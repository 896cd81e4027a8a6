import { type Static, Type } from '@sinclair/typebox';
import {
  dotenvPath,
  eventLogSettings,
  imageSettings,
  loadConfig,
  loggingSettings,
  shutdownTimeout,
} from '@vsp/platform';
import { modelSettings, vectorIndexSettings } from '@vsp/vector-index';
import { checkConsumerSettings, consumerSettings, runtimeOptionsFrom } from '../runtime/consumer-settings.js';
import type { EmbeddingProcessorSettings } from './embedding-processor.js';
import type { RebuildSettings } from './rebuild.js';
import type { VersionConsumerSettings } from './version-consumer.js';

export const EmbeddingConfigSchema = Type.Object({
  ...eventLogSettings,
  EMBEDDING_GROUP_ID: Type.String({ default: 'visual-search-embedding', minLength: 1 }),
  /** /health and /metrics. */
  EMBEDDING_PORT: Type.Integer({ default: 9102, minimum: 0, maximum: 65535 }),
  EMBEDDING_HOST: Type.String({ default: '0.0.0.0' }),
  /** Partitions processed at the same time. */
  EMBEDDING_CONCURRENCY: Type.Integer({ default: 2, minimum: 1 }),
  ...imageSettings,
  IMAGE_FETCH_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100 }),
  IMAGE_FETCH_CONCURRENCY: Type.Integer({ default: 8, minimum: 1 }),
  /** Images decoded at once (one libvips thread each): the cores the machine gives to decoding. */
  IMAGE_DECODE_CONCURRENCY: Type.Integer({ default: 2, minimum: 1 }),
  ...modelSettings,
  ...vectorIndexSettings,
  /** `npm run rebuild`: its /metrics port (0: any free port). */
  REBUILD_PORT: Type.Integer({ default: 9103, minimum: 0, maximum: 65535 }),
  /** A rebuild switches the alias once no partition is further than this many events behind. */
  REBUILD_SWITCH_LAG: Type.Integer({ default: 100, minimum: 0 }),
  REBUILD_PROGRESS_INTERVAL_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  ...consumerSettings({ sinkTimeoutMs: 60_000, writeMaxRecords: 256 }),
  ...loggingSettings,
  ...shutdownTimeout(15_000),
});

export type EmbeddingConfig = Readonly<Static<typeof EmbeddingConfigSchema>>;

export function loadEmbeddingConfig(env?: Record<string, string | undefined>): EmbeddingConfig {
  return checkConsumerSettings(loadConfig(EmbeddingConfigSchema, env ? { env } : { dotenvPath }));
}

/** The settings of the consumer that fills a version, in its own terms. */
export function versionConsumerSettingsOf(config: EmbeddingConfig): VersionConsumerSettings {
  return {
    registryUrl: config.SCHEMA_REGISTRY_URL,
    concurrency: config.EMBEDDING_CONCURRENCY,
    images: {
      baseUrl: config.IMAGE_BASE_URL,
      fetchTimeoutMs: config.IMAGE_FETCH_TIMEOUT_MS,
      maxBytes: config.IMAGE_MAX_BYTES,
      maxPixels: config.IMAGE_MAX_PIXELS,
      fetchConcurrency: config.IMAGE_FETCH_CONCURRENCY,
      decodeConcurrency: config.IMAGE_DECODE_CONCURRENCY,
    },
    runtime: runtimeOptionsFrom(config, 'vector-index'),
  };
}

/** The embedding processor's settings, in its own terms. */
export function embeddingProcessorSettingsOf(config: EmbeddingConfig): EmbeddingProcessorSettings {
  return {
    consumer: versionConsumerSettingsOf(config),
    models: config,
    groupPrefix: config.EMBEDDING_GROUP_ID,
    aliasCheckIntervalMs: config.ALIAS_CHECK_INTERVAL_MS,
  };
}

/** A rebuild's settings, in its own terms. */
export function rebuildSettingsOf(config: EmbeddingConfig): RebuildSettings {
  return {
    ...embeddingProcessorSettingsOf(config),
    switchLag: config.REBUILD_SWITCH_LAG,
    progressIntervalMs: config.REBUILD_PROGRESS_INTERVAL_MS,
  };
}
