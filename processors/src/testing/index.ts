import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dlqTopicName, type ProductEvent, ProductEventCodec } from '@vsp/schemas';
import {
  type CleanupContext,
  createKafka,
  createTestDatabase,
  createTopic,
  createVectorIndex,
  deleteSubjectAfter,
  ensureInfra,
  onCleanup,
  uniqueName,
  waitFor,
} from '@vsp/test-harness';
import { DESCRIPTOR_MODEL, type EmbeddingModel, IndexVersions, openModel, type VectorStore } from '@vsp/vector-index';
import pino from 'pino';
import { type EmbeddingConfig, loadEmbeddingConfig } from '../embedding/config.js';
import { EmbeddingMetrics } from '../embedding/embedding-metrics.js';
import { LiveEmbedding, type LiveEmbeddingOptions } from '../embedding/live-embedding.js';
import { loadPersistenceConfig, type PersistenceConfig } from '../persistence/config.js';
import { migrate } from '../persistence/migrate.js';
import { createPersistenceProcessor } from '../persistence/persistence-processor.js';
import type { HealthReport } from '../runtime/health-server.js';
import { ProcessorMetrics } from '../runtime/processor-metrics.js';

let sequence = 0;

/** A product event as the ingress would put it on the log; `data` fields override the defaults. */
export function productEvent(
  eventType: ProductEvent['event_type'],
  productId: string,
  occurredAt: number,
  data: Partial<ProductEvent['data']> = {},
  eventId = `evt_${productId}_${occurredAt}_${++sequence}`,
): ProductEvent {
  return {
    event_id: eventId,
    event_type: eventType,
    timestamp: new Date(occurredAt).toISOString(),
    occurred_at: occurredAt,
    received_at: occurredAt + 5,
    data: {
      product_id: productId,
      title: null,
      description: null,
      category: null,
      price: null,
      currency: null,
      image_key: null,
      ...data,
    },
    raw_body: Buffer.from('{}'),
  };
}

export interface EventTopic {
  topic: string;
  /** Its dead-letter topic (dlqTopicName). */
  dlq: string;
  /** Appends events keyed by product id, encoded with the registered schema. */
  produce(events: readonly ProductEvent[]): Promise<void>;
  /** Appends raw bytes, for poison records. */
  produceRaw(messages: { key: string; value: Buffer }[]): Promise<void>;
}

/**
 * A fresh product-events topic (and its DLQ) with its schema registered, removed after the test;
 * `name` for one a component under test was already told about.
 */
export async function createEventTopic(t: CleanupContext, partitions = 3, name?: string): Promise<EventTopic> {
  const { schemaRegistryUrl } = await ensureInfra();
  const topic = await createTopic(t, { partitions, prefix: 'product-events', ...(name ? { name } : {}) });
  const dlq = dlqTopicName(topic);
  const admin = (await createKafka()).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: dlq, numPartitions: partitions }], waitForLeaders: true });
  onCleanup(t, async () => {
    await admin.deleteTopics({ topics: [dlq] }).catch(() => {});
    await admin.disconnect();
  });
  await deleteSubjectAfter(t, `${topic}-value`);
  const codec = await ProductEventCodec.register({ registryUrl: schemaRegistryUrl, subject: `${topic}-value` });
  const producer = (await createKafka()).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  onCleanup(t, () => producer.disconnect());
  // Slices of the records tests make stay under the topic's 1 MB max.message.bytes.
  const send = async (messages: { key: string; value: Buffer; headers?: Record<string, string> }[]) => {
    for (let i = 0; i < messages.length; i += 1_000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1_000) });
    }
  };
  return {
    topic,
    dlq,
    produce: (events) =>
      send(
        events.map((e) => ({
          key: e.data.product_id,
          value: codec.encode(e),
          headers: { event_type: e.event_type, event_id: e.event_id },
        })),
      ),
    produceRaw: send,
  };
}

export interface TestPersistence {
  config: PersistenceConfig;
  metrics: ProcessorMetrics;
  health(): HealthReport;
  /** The test's own schema holds the products table. */
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Resolves once the processor has handled `count` records in all (any outcome). */
  waitForHandled(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Resolves once the processor has handled `count` records in all (any outcome). */
const waitForHandled =
  (metrics: ProcessorMetrics) =>
  (count: number, timeoutMs = 60_000): Promise<void> =>
    waitFor(async () => (await counterTotal(metrics, 'events')) >= count, {
      description: `${count} records handled`,
      timeoutMs,
      intervalMs: 50,
    }).then(() => undefined);

/** Sums a counter's samples, optionally only those whose labels match. */
export async function counterTotal(
  metrics: ProcessorMetrics,
  name: 'events' | 'deadLetters' | 'retries',
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metrics[name].get();
  return values
    .filter((v) =>
      Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

/**
 * A real persistence processor consuming `topic` into a products table in a private SQL schema.
 * Overrides are environment variables, as an operator would set them. Closed after the test.
 */
export async function startTestPersistence(
  t: CleanupContext,
  topic: string,
  overrides: Record<string, string> = {},
): Promise<TestPersistence> {
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const database = await createTestDatabase(t);
  await migrate(database.url);
  const config = loadPersistenceConfig({
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    DATABASE_URL: database.url,
    PRODUCT_EVENTS_TOPIC: topic,
    PERSISTENCE_GROUP_ID: uniqueName('persistence'),
    RETRY_INITIAL_MS: '100',
    RETRY_MAX_MS: '1000',
    BREAKER_RESET_MS: '1000',
    LOG_DIR: '',
    ...overrides,
  });
  const metrics = new ProcessorMetrics('test_');
  const processor = createPersistenceProcessor({
    config,
    kafka: await createKafka(),
    pool: database.pool,
    logger: pino({ level: 'silent' }),
    metrics,
  });
  onCleanup(t, () => processor.close());
  await processor.start();
  return {
    config,
    metrics,
    health: () => processor.health(),
    query: async (sql, params) => (await database.pool.query(sql, params)).rows,
    waitForHandled: waitForHandled(metrics),
    close: () => processor.close(),
  };
}

const CATALOGUE_T0 = Date.UTC(2025, 10, 12, 10);

/** Each product's history: created, updated, image updated, and every third one deleted. */
export function catalogueHistories(products: number): ProductEvent[][] {
  return Array.from({ length: products }, (_, i) => {
    const id = `p${i}`;
    const history = [
      productEvent('product.created', id, CATALOGUE_T0 + i, {
        title: `Товар ${i}`,
        category: 'Электроника',
        price: '100.5',
        currency: 'KGS',
        image_key: `${id}/a.jpg`,
      }),
      productEvent('product.updated', id, CATALOGUE_T0 + 60_000 + i, {
        title: `Товар ${i} (новый)`,
        price: `${200 + i}.25`,
      }),
      productEvent('product.image.updated', id, CATALOGUE_T0 + 120_000 + i, { image_key: `${id}/b.jpg` }),
    ];
    if (i % 3 === 0) history.push(productEvent('product.deleted', id, CATALOGUE_T0 + 180_000 + i));
    return history;
  });
}

/** The rows `catalogueHistories(products)` must end in, as SELECT_CATALOGUE returns them. */
export function expectedCatalogue(products: number) {
  return Array.from({ length: products }, (_, i) => ({
    product_id: `p${i}`,
    title: `Товар ${i} (новый)`,
    category: 'Электроника',
    price: `${200 + i}.2500`,
    currency: 'KGS',
    image_key: `p${i}/b.jpg`,
    deleted: i % 3 === 0,
  })).sort((a, b) => a.product_id.localeCompare(b.product_id));
}

export const SELECT_CATALOGUE =
  'SELECT product_id, title, category, price, currency, image_key, deleted FROM products ORDER BY product_id';

export interface TestEmbedding {
  config: EmbeddingConfig;
  metrics: EmbeddingMetrics;
  versions: IndexVersions;
  /** Reads and searches through the alias. */
  store: VectorStore;
  /** A copy of the processor's model, for the test's own queries. */
  model: EmbeddingModel;
  health(): HealthReport;
  waitForHandled(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The model of tests where the model is not the point: generated from committed code in
 * milliseconds, where the default is downloaded and converted on first use. Tests of the default
 * model (conversion, demo, quality) name it.
 */
export const TEST_MODEL = DESCRIPTOR_MODEL.id;

/**
 * Settings for an embedding processor consuming `topic` into an index of its own (removed after
 * the test), with TEST_MODEL, fetching from `imageBaseUrl`. Overrides are environment variables,
 * as an operator would set them: `VECTOR_STORE: 'qdrant'` puts the index on the real Qdrant
 * instead of the embedded store.
 */
export async function testEmbeddingConfig(
  t: CleanupContext,
  topic: string,
  imageBaseUrl: string,
  overrides: Record<string, string> = {},
): Promise<EmbeddingConfig> {
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const dataDir = mkdtempSync(join(tmpdir(), 'embedding-test-'));
  onCleanup(t, () => rmSync(dataDir, { recursive: true, force: true }));
  const index = await createVectorIndex(t, overrides.VECTOR_STORE);
  return loadEmbeddingConfig({
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    PRODUCT_EVENTS_TOPIC: topic,
    EMBEDDING_GROUP_ID: uniqueName('embedding'),
    IMAGE_BASE_URL: imageBaseUrl,
    IMAGE_FETCH_TIMEOUT_MS: '2000',
    ...index.env,
    MODEL: TEST_MODEL,
    MODEL_CACHE_DIR: join(dataDir, 'models'),
    RETRY_INITIAL_MS: '100',
    RETRY_MAX_MS: '1000',
    BREAKER_RESET_MS: '1000',
    LOG_DIR: '',
    ...overrides,
  });
}

/** What leads a command (`npm run index`, a rebuild) to the index and model cache an embedding processor uses. */
export function indexSettingsOf(config: EmbeddingConfig): Record<string, string | undefined> {
  const { VECTOR_STORE, QDRANT_URL, VECTOR_DATA_DIR, VECTOR_ALIAS, MODEL_CACHE_DIR } = config;
  return { VECTOR_STORE, QDRANT_URL, VECTOR_DATA_DIR, VECTOR_ALIAS, MODEL_CACHE_DIR };
}

/** An embedding processor over `config`, not yet started; closed after the test. */
export async function createTestEmbedding(
  t: CleanupContext,
  config: EmbeddingConfig,
  options: Pick<LiveEmbeddingOptions, 'openModel'> = {},
): Promise<{ processor: LiveEmbedding; versions: IndexVersions; metrics: EmbeddingMetrics }> {
  const versions = IndexVersions.open(config);
  const metrics = new EmbeddingMetrics('test_');
  const processor = new LiveEmbedding({
    config,
    kafka: await createKafka(),
    versions,
    logger: pino({ level: 'silent' }),
    metrics,
    ...options,
  });
  onCleanup(t, () => processor.close());
  return { processor, versions, metrics };
}

/** A real embedding processor (see testEmbeddingConfig), started, with a model of its own for the test's queries. */
export async function startTestEmbedding(
  t: CleanupContext,
  topic: string,
  imageBaseUrl: string,
  overrides: Record<string, string> = {},
): Promise<TestEmbedding> {
  const config = await testEmbeddingConfig(t, topic, imageBaseUrl, overrides);
  const model = await openModel(config);
  onCleanup(t, () => model.close());
  const { processor, versions, metrics } = await createTestEmbedding(t, config);
  await processor.start();
  return {
    config,
    metrics,
    versions,
    store: versions.store(versions.alias),
    model,
    health: () => processor.health(),
    waitForHandled: waitForHandled(metrics),
    close: () => processor.close(),
  };
}

export {
  nearDuplicate,
  productImage,
  SAMPLE_PHOTOS,
  type SamplePhoto,
  samplePhotos,
  seededRandom,
} from '@vsp/demo';
export { EFFICIENTNET_LITE0_MODEL } from '@vsp/vector-index';
export {
  CLIP_SIZED_MODEL,
  CLIP_SIZED_MULTIPLY_ADDS,
  createTestVersions,
  ensureClipSizedModel,
  FakeQdrantServer,
  type ImageHost,
  startImageHost,
} from '@vsp/vector-index/testing';
