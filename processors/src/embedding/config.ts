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
import { checkConsumerSettings, consumerSettings } from '../runtime/consumer-settings.js';

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
