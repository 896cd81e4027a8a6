import { type ProductEvent, ProductEventCodec } from '@vsp/schemas';
import { type EmbeddingModel, ImageFetcher, type VectorStore } from '@vsp/vector-index';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeProductEvent } from '../product/product-event-decoder.js';
import { ConsumerRuntime } from '../runtime/consumer-runtime.js';
import { runtimeOptionsFrom } from '../runtime/consumer-settings.js';
import type { DeadLetterPolicy } from '../runtime/dead-letter-queue.js';
import type { RecordHandler } from '../runtime/runtime-options.js';
import type { EmbeddingConfig } from './config.js';
import type { EmbeddingMetrics } from './embedding-metrics.js';
import { ProductIndexer, type VectorSource } from './product-indexer.js';

export interface VersionConsumerDependencies {
  config: EmbeddingConfig;
  kafka: Kafka;
  /** The collection to fill, and the consumer group that keeps it in step with the log. */
  store: VectorStore;
  groupId: string;
  /** A collection of the same model to take vectors from (see ProductIndexer). */
  donor?: VectorStore | undefined;
  model: EmbeddingModel;
  logger: Logger;
  metrics: EmbeddingMetrics;
  /** In logs and metric labels; "embedding" unless a rebuild. */
  name?: string;
  /** Default: send and log every letter (see DeadLetterPolicy). */
  deadLetters?: DeadLetterPolicy | undefined;
}

/** Product events into one collection of the vector index, through the consumer runtime. */
export function createVersionConsumer({
  config,
  kafka,
  store,
  groupId,
  donor,
  model,
  logger,
  metrics,
  name = 'embedding',
  deadLetters,
}: VersionConsumerDependencies) {
  const indexer = new ProductIndexer({
    store,
    donor,
    model,
    fetcher: new ImageFetcher({
      baseUrl: config.IMAGE_BASE_URL,
      timeoutMs: config.IMAGE_FETCH_TIMEOUT_MS,
      maxBytes: config.IMAGE_MAX_BYTES,
    }),
    maxPixels: config.IMAGE_MAX_PIXELS,
    fetchConcurrency: config.IMAGE_FETCH_CONCURRENCY,
    decodeConcurrency: config.IMAGE_DECODE_CONCURRENCY,
    onStage: (stage, seconds) => metrics.stageSeconds.observe({ processor: name, stage }, seconds),
    onVectors: (fetched, sources) => {
      metrics.imagesFetched.inc({ processor: name }, fetched);
      for (const [source, count] of Object.entries(sources)) {
        metrics.vectors.inc({ processor: name, source: source as VectorSource }, count);
      }
    },
  });
  const codec = ProductEventCodec.reader(config.SCHEMA_REGISTRY_URL);
  const handler: RecordHandler<ProductEvent> = {
    decode: (message) => decodeProductEvent(codec, message),
    label: (event) => event.event_type,
    write: (records) => indexer.apply(records.map((r) => r.value)),
    probe: () => store.count(),
  };
  logger.info(`${name}: model ${model.spec.id} (dimension ${model.dimension}) into ${store.name} as group ${groupId}`);
  return new ConsumerRuntime({
    ...runtimeOptionsFrom(config, 'vector-index'),
    name,
    kafka,
    groupId,
    concurrency: config.EMBEDDING_CONCURRENCY,
    handler,
    logger,
    metrics,
    deadLetters,
  });
}
