import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CleanupContext,
  createKafka,
  createVectorIndex,
  ensureInfra,
  onCleanup,
  uniqueName,
} from '@vsp/test-harness';
import { DESCRIPTOR_MODEL, type EmbeddingModel, IndexVersions, openModel, type VectorStore } from '@vsp/vector-index';
import pino from 'pino';
import {
  type EmbeddingConfig,
  embeddingProcessorSettingsOf,
  loadEmbeddingConfig,
  rebuildSettingsOf,
} from '../embedding/config.js';
import { EmbeddingMetrics } from '../embedding/embedding-metrics.js';
import { EmbeddingProcessor, type EmbeddingProcessorOptions } from '../embedding/embedding-processor.js';
import { type RebuildOptions, type RebuildResult, rebuild } from '../embedding/rebuild.js';
import type { HealthReport } from '../runtime/health-server.js';
import { waitForHandled } from './processor-counters.js';

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
  options: Pick<EmbeddingProcessorOptions, 'openModel'> = {},
): Promise<{ processor: EmbeddingProcessor; versions: IndexVersions; metrics: EmbeddingMetrics }> {
  const versions = IndexVersions.open(config);
  const metrics = new EmbeddingMetrics('test_');
  const processor = new EmbeddingProcessor({
    ...embeddingProcessorSettingsOf(config),
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

/**
 * A rebuild, run in this process, of the index `embedding` keeps (its topic and alias), quiet
 * unless told otherwise; the metrics are returned for the test to read.
 */
export async function rebuildOf(
  embedding: TestEmbedding,
  overrides: Partial<RebuildOptions> = {},
): Promise<{ result: RebuildResult; metrics: EmbeddingMetrics }> {
  const metrics = overrides.metrics ?? new EmbeddingMetrics('rebuild_test_');
  const result = await rebuild({
    settings: rebuildSettingsOf(embedding.config),
    kafka: await createKafka(),
    versions: embedding.versions,
    logger: pino({ level: 'silent' }),
    onProgress: () => {},
    ...overrides,
    metrics,
  });
  return { result, metrics };
}
