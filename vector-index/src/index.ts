export * from './errors.js';
export { type FetchedImage, ImageFetcher, type ImageFetcherOptions, imageUrl } from './images/image-fetcher.js';
export { imageToPixels } from './images/image-preprocessor.js';
export { localImageResponse } from './images/local-images.js';
export { BUILT_IN_MODEL_IDS, isBuiltInModel, writeBuiltInModel } from './model/built-in-models.js';
export {
  buildDescriptorModel,
  COMPACT_DESCRIPTOR_MODEL,
  DESCRIPTOR_MODEL,
} from './model/descriptor-model.js';
export { EmbeddingModel } from './model/embedding-model.js';
export { ensureDescriptorModel } from './model/model-spec.js';
export {
  type ModelOpener,
  type ModelSettings,
  openModel,
  openModelFor,
  openModelOf,
  versionSpecOf,
} from './model/open-model.js';
export { EFFICIENTNET_LITE0_MODEL } from './model/pretrained-models.js';
export { modelSettings, vectorIndexSettings } from './settings.js';
export { AliasWatch } from './store/alias-watch.js';
export type { CollectionBackend, CollectionInfo, CollectionMetadata } from './store/collection-backend.js';
export { QUANTIZATIONS, type Quantization } from './store/collection-backend.js';
export {
  INDEX_STORE_KINDS,
  type IndexStoreKind,
  type IndexStoreSettings,
  type IndexVersion,
  type IndexVersionListing,
  type IndexVersionSpec,
  IndexVersions,
  type QdrantSettings,
} from './store/index-versions.js';
export { LanceDbBackend } from './store/lancedb-backend.js';
export type { ProductPayload } from './store/product-payload.js';
export { QdrantBackend } from './store/qdrant-backend.js';
export { QdrantConnection } from './store/qdrant-connection.js';
export { QDRANT_SEARCH_PARAMS, QdrantVectorStore } from './store/qdrant-vector-store.js';
export {
  type CategoryCount,
  type ProductPoint,
  pointId,
  type SearchFilter,
  type SearchHit,
  type VectorStore,
} from './store/vector-store.js';
