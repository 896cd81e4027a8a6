export * from './errors.js';
export { loadPersistenceConfig, type PersistenceConfig } from './persistence/config.js';
export { migrate } from './persistence/migrate.js';
export { createPersistenceProcessor } from './persistence/persistence-processor.js';
export { mergeEvents, type PositionedEvent, type ProductRow, versionOf } from './persistence/product-merge.js';
export { ProductStore } from './persistence/product-store.js';
export { ConsumerRuntime, type RecordHandler, type SinkRecord } from './runtime/consumer-runtime.js';
export { HealthServer } from './runtime/health-server.js';
export { ProcessorMetrics } from './runtime/processor-metrics.js';
