export { type DeadLetterRecord, DeadLetterTool, type ReplayFilter } from './dead-letters/dead-letter-tool.js';
export {
  type EmbeddingConfig,
  loadEmbeddingConfig,
  modelSettings,
  vectorIndexSettings,
} from './embedding/config.js';
export { EmbeddingMetrics } from './embedding/embedding-metrics.js';
export { createEmbeddingProcessor } from './embedding/embedding-processor.js';
export { imageUrl } from './embedding/images/image-fetcher.js';
export { imageToTensor } from './embedding/images/image-preprocessor.js';
export { localImageResponse } from './embedding/images/local-images.js';
export { LiveEmbedding } from './embedding/live-embedding.js';
export { BUILT_IN_MODEL_IDS } from './embedding/model/built-in-models.js';
export {
  buildDescriptorModel,
  COMPACT_DESCRIPTOR_MODEL,
  DESCRIPTOR_MODEL,
} from './embedding/model/descriptor-model.js';
export { EmbeddingModel } from './embedding/model/embedding-model.js';
export { ensureDescriptorModel } from './embedding/model/model-spec.js';
export { openModel, openModelOf } from './embedding/model/open-model.js';
export { EFFICIENTNET_LITE0_MODEL } from './embedding/model/pretrained-models.js';
export { type RebuildOptions, type RebuildProgress, type RebuildResult, rebuild } from './embedding/rebuild.js';
export { AliasWatch } from './embedding/vector-store/alias-watch.js';
export { createQdrantClient, type IndexVersion, IndexVersions } from './embedding/vector-store/index-versions.js';
export { imageSourceOf, type ProductPayload } from './embedding/vector-store/product-payload.js';
export { QdrantVectorStore } from './embedding/vector-store/qdrant-vector-store.js';
export type {
  CategoryCount,
  ProductPoint,
  SearchFilter,
  SearchHit,
  VectorStore,
} from './embedding/vector-store/vector-store.js';
export * from './errors.js';
export { loadPersistenceConfig, type PersistenceConfig } from './persistence/config.js';
export { migrate } from './persistence/migrate.js';
export { createPersistenceProcessor } from './persistence/persistence-processor.js';
export { type PositionedEvent, ProductStore } from './persistence/product-store.js';
export { versionOf } from './product/event-version.js';
export { emptyProductState, mergeEvents, type ProductState } from './product/product-state.js';
export { ConsumerRuntime, type RecordHandler, type SinkRecord } from './runtime/consumer-runtime.js';
export { HealthServer } from './runtime/health-server.js';
export { ProcessorMetrics } from './runtime/processor-metrics.js';
