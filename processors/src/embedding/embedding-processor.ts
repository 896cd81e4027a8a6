import { type ProductEvent, ProductEventCodec } from '@vsp/schemas';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Histogram } from 'prom-client';
import { decodeProductEvent } from '../product/product-event-decoder.js';
import { ConsumerRuntime, type RecordHandler } from '../runtime/consumer-runtime.js';
import { runtimeOptionsFrom } from '../runtime/consumer-settings.js';
import type { ProcessorMetrics } from '../runtime/processor-metrics.js';
import type { EmbeddingConfig } from './config.js';
import { ImageFetcher } from './images/image-fetcher.js';
import type { EmbeddingModel } from './model/embedding-model.js';
import { ProductIndexer } from './product-indexer.js';
import type { VectorStore } from './vector-store/vector-store.js';

export interface EmbeddingDependencies {
  config: EmbeddingConfig;
  kafka: Kafka;
  store: VectorStore;
  model: EmbeddingModel;
  logger: Logger;
  metrics: ProcessorMetrics;
}

/** The embedding processor: product events into the vector index, through the runtime. */
export function createEmbeddingProcessor({ config, kafka, store, model, logger, metrics }: EmbeddingDependencies) {
  const stageSeconds = new Histogram({
    name: 'visual_search_embedding_stage_seconds',
    help: 'Time per stage of a batch: lookup, fetch, decode, infer, upsert',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics.registry],
  });
  const indexer = new ProductIndexer({
    store,
    model,
    fetcher: new ImageFetcher({
      baseUrl: config.IMAGE_BASE_URL,
      timeoutMs: config.IMAGE_FETCH_TIMEOUT_MS,
      maxBytes: config.IMAGE_MAX_BYTES,
    }),
    maxPixels: config.IMAGE_MAX_PIXELS,
    fetchConcurrency: config.IMAGE_FETCH_CONCURRENCY,
    decodeConcurrency: config.IMAGE_DECODE_CONCURRENCY,
    onStage: (stage, seconds) => stageSeconds.observe({ stage }, seconds),
  });
  const codec = ProductEventCodec.reader(config.SCHEMA_REGISTRY_URL);
  const handler: RecordHandler<ProductEvent> = {
    decode: (message) => decodeProductEvent(codec, message),
    label: (event) => event.event_type,
    write: (records) => indexer.apply(records.map((r) => r.value)),
    probe: () => store.stats(),
  };
  logger.info(`Embedding with model ${model.spec.id} (dimension ${model.dimension})`);
  return new ConsumerRuntime({
    ...runtimeOptionsFrom(config),
    name: 'embedding',
    kafka,
    groupId: config.EMBEDDING_GROUP_ID,
    concurrency: config.EMBEDDING_CONCURRENCY,
    handler,
    sinkName: 'qdrant',
    logger,
    metrics,
  });
}
