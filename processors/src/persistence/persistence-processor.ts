import { type ProductEvent, ProductEventCodec } from '@vsp/schemas';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from 'pino';
import { decodeProductEvent } from '../product/product-event-decoder.js';
import { ConsumerRuntime } from '../runtime/consumer-runtime.js';
import { runtimeOptionsFrom } from '../runtime/consumer-settings.js';
import type { ProcessorMetrics } from '../runtime/processor-metrics.js';
import type { RecordHandler } from '../runtime/runtime-options.js';
import type { PersistenceConfig } from './config.js';
import { ProductStore } from './product-store.js';

export interface PersistenceDependencies {
  config: PersistenceConfig;
  kafka: Kafka;
  pool: pg.Pool;
  logger: Logger;
  metrics: ProcessorMetrics;
}

const SEED_VERB: Record<string, string> = {
  'product.created': 'created',
  'product.updated': 'updated',
  'product.deleted': 'deleted',
  'product.image.updated': 'image updated',
};

/** The persistence processor: product events into the `products` table, through the runtime. */
export function createPersistenceProcessor({ config, kafka, pool, logger, metrics }: PersistenceDependencies) {
  const codec = ProductEventCodec.reader(config.SCHEMA_REGISTRY_URL);
  const store = new ProductStore(pool);
  const handler: RecordHandler<ProductEvent> = {
    decode: (message) => decodeProductEvent(codec, message),
    label: (event) => event.event_type,
    async write(records) {
      const { outcomes, changed } = await store.apply(
        records.map((r) => ({ event: r.value, partition: r.partition, offset: r.message.offset })),
      );
      for (const row of changed)
        logger.info(`Product ${SEED_VERB[row.last_event_type ?? ''] ?? 'updated'} successfully: ${row.product_id}`);
      return outcomes;
    },
    probe: () => pool.query('SELECT 1'),
  };
  return new ConsumerRuntime({
    ...runtimeOptionsFrom(config, 'postgres'),
    name: 'persistence',
    kafka,
    groupId: config.PERSISTENCE_GROUP_ID,
    concurrency: config.PERSISTENCE_CONCURRENCY,
    handler,
    logger,
    metrics,
  });
}
