import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_MODEL } from '@vsp/processors/testing';
import {
  type CleanupContext,
  createVectorIndex,
  ensureInfra,
  freePort,
  onCleanup,
  type TestVectorIndex,
  uniqueName,
} from '@vsp/test-harness';

export interface EmbeddingProcessSetup {
  /** The environment for `processors/src/embedding/main.ts`. */
  env: Record<string, string>;
  /** Its /health and /metrics port. */
  port: number;
  index: TestVectorIndex;
}

/**
 * What a real embedding process needs to run in a test: the real infra, a consumer group, a
 * vector index (embedded unless the overrides say VECTOR_STORE=qdrant) and a model cache of its
 * own (removed afterwards), and a free port.
 */
export async function embeddingProcess(
  t: CleanupContext,
  { topic, imageBaseUrl, overrides = {} }: { topic: string; imageBaseUrl: string; overrides?: Record<string, string> },
): Promise<EmbeddingProcessSetup> {
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const index = await createVectorIndex(t, overrides.VECTOR_STORE);
  const cache = mkdtempSync(join(tmpdir(), 'embedding-process-'));
  onCleanup(t, () => rmSync(cache, { recursive: true, force: true }));
  const port = await freePort();
  const env = {
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    PRODUCT_EVENTS_TOPIC: topic,
    EMBEDDING_GROUP_ID: uniqueName('embedding'),
    EMBEDDING_PORT: String(port),
    EMBEDDING_HOST: '127.0.0.1',
    IMAGE_BASE_URL: imageBaseUrl,
    ...index.env,
    MODEL: TEST_MODEL,
    MODEL_CACHE_DIR: cache,
    LOG_DIR: '',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
  return { env, port, index };
}
