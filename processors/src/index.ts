export { EmbeddingConfigSchema } from './embedding/config.js';
export { EmbeddingMetrics } from './embedding/embedding-metrics.js';
export { imageSourceOf } from './embedding/index-payload.js';
export type { RebuildOptions, RebuildProgress } from './embedding/rebuild.js';
export * from './errors.js';
export { PersistenceConfigSchema } from './persistence/config.js';
export { migrate } from './persistence/migrate.js';
export { emptyProductState, mergeEvents } from './product/product-state.js';
export { HealthServer } from './runtime/health-server.js';
