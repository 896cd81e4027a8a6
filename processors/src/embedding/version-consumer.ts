import { type ProductEvent, ProductEventCodec } from '@vsp/schemas';
import { type EmbeddingModel, ImageFetcher, type VectorStore } from '@vsp/vector-index';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeProductEvent } from '../product/product-event-decoder.js';
import { ConsumerRuntime } from '../runtime/consumer-runtime.js';
import type { RuntimeSettings } from '../runtime/consumer-settings.js';
import type { DeadLetterPolicy } from '../runtime/dead-letter-queue.js';
import type { RecordHandler } from '../runtime/runtime-options.js';
import type { EmbeddingMetrics } from './embedding-metrics.js';
import { ProductIndexer, type VectorSource } from './product-indexer.js';

/** What the consumer of a version is told, from the embedding processor's settings (see versionConsumerSettingsOf). */
export interface VersionConsumerSettings {
  registryUrl: string;
  /** Partitions processed at the same time. */
  concurrency: number;
  images: {
    baseUrl: string;
    fetchTimeoutMs: number;
    maxBytes: number;
    maxPixels: number;
    fetchConcurrency: number;
    decodeConcurrency: number;
  };
  runtime: RuntimeSettings;
}

export interface VersionConsumerDependencies {
  settings: VersionConsumerSettings;
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
  settings,
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
  const { images } = settings;
  const indexer = new ProductIndexer({
    store,
    donor,
    model,
    fetcher: new ImageFetcher({ baseUrl: images.baseUrl, timeoutMs: images.fetchTimeoutMs, maxBytes: images.maxBytes }),
    maxPixels: images.maxPixels,
    fetchConcurrency: images.fetchConcurrency,
    decodeConcurrency: images.decodeConcurrency,
    onStage: (stage, seconds) => metrics.stageSeconds.observe({ processor: name, stage }, seconds),
    onVectors: (fetched, sources) => {
      metrics.imagesFetched.inc({ processor: name }, fetched);
      for (const [source, count] of Object.entries(sources)) {
        metrics.vectors.inc({ processor: name, source: source as VectorSource }, count);
      }
    },
  });
  const codec = ProductEventCodec.reader(settings.registryUrl);
  const handler: RecordHandler<ProductEvent> = {
    decode: (message) => decodeProductEvent(codec, message),
    label: (event) => event.event_type,
    write: (records) => indexer.apply(records.map((r) => r.value)),
    probe: () => store.count(),
  };
  logger.info(`${name}: model ${model.spec.id} (dimension ${model.dimension}) into ${store.name} as group ${groupId}`);
  return new ConsumerRuntime({
    ...settings.runtime,
    name,
    kafka,
    groupId,
    concurrency: settings.concurrency,
    handler,
    logger,
    metrics,
    deadLetters,
  });
}
