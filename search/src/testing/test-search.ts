import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CleanupContext,
  createVectorIndex,
  onCleanup,
  productImage,
  type TestVectorIndex,
} from '@vsp/test-harness';
import { DESCRIPTOR_MODEL, imageToPixels, openModel, type ProductPayload } from '@vsp/vector-index';
import { startImageHost, testVersionsOf } from '@vsp/vector-index/testing';
import pino, { type Logger } from 'pino';
import { loadSearchConfig, type SearchConfig } from '../config.js';
import type { SearchMetrics } from '../plugins/search-metrics.js';
import { createSearchService } from '../search-service.js';

export interface TestSearch {
  /** http://127.0.0.1:<port> */
  url: string;
  config: SearchConfig;
  metrics: SearchMetrics;
}

/**
 * A real search service on a free loopback port over the index `env` names (its store, alias and
 * model cache, as the embedding processor that keeps it was given them), with the image host.
 * Overrides are environment variables; the logger is silent unless the test gives one. Closed
 * after the test.
 */
export async function startTestSearch(
  t: CleanupContext,
  env: TestVectorIndex['env'] & { MODEL_CACHE_DIR: string; IMAGE_BASE_URL: string },
  overrides: Record<string, string> = {},
  logger: Logger = pino({ level: 'silent' }),
): Promise<TestSearch> {
  const config = loadSearchConfig({ MODEL: DESCRIPTOR_MODEL.id, LOG_DIR: '', ...env, ...overrides });
  const service = await createSearchService(config, logger);
  onCleanup(t, () => service.close());
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`,
    config,
    metrics: service.metrics,
  };
}

export const CATALOGUE_PRODUCTS = 40;

/**
 * 40 products (p0..p39) with their own photos, categories Обувь/Одежда alternating, price
 * 1000.5 + 100·i, USD every fifth, p7 deleted; their points written into a fresh index with the
 * descriptor model (as the embedding processor writes them), and a search service over that
 * index. The index is embedded unless the overrides say `VECTOR_STORE: 'qdrant'`.
 */
export async function indexedCatalogue(t: CleanupContext, overrides: Record<string, string> = {}) {
  const host = await startImageHost(t);
  const images = await Promise.all(Array.from({ length: CATALOGUE_PRODUCTS }, (_, i) => productImage(50_000 + i)));
  for (const [i, image] of images.entries()) host.put(`p${i}/main.jpg`, image);
  const cache = mkdtempSync(join(tmpdir(), 'search-test-models-'));
  onCleanup(t, () => rmSync(cache, { recursive: true, force: true }));
  const settings = {
    MODEL: DESCRIPTOR_MODEL.id,
    MODEL_CACHE_DIR: cache,
    INFERENCE_THREADS: 1,
    INFERENCE_BATCH_MAX: 64,
  };
  const model = await openModel(settings);
  onCleanup(t, () => model.close());
  const index = await createVectorIndex(t, overrides.VECTOR_STORE);
  const versions = testVersionsOf(t, index);
  const version = await versions.ensureServing({
    modelId: model.spec.id,
    modelDir: null,
    dimension: model.dimension,
    groupPrefix: 'search-test',
  });
  const vectors = await model.embed(
    await Promise.all(images.map((image) => imageToPixels(image, model.spec, 40_000_000))),
  );
  await versions.store(version.name).upsert(
    images.map((_, i) => ({
      productId: `p${i}`,
      vector: vectors[i] as Float32Array,
      payload: cataloguePayload(i, model.spec.id),
    })),
  );
  const search = await startTestSearch(
    t,
    { ...index.env, MODEL_CACHE_DIR: cache, IMAGE_BASE_URL: host.baseUrl },
    overrides,
  );
  return { images, search };
}

function cataloguePayload(i: number, modelId: string): ProductPayload {
  const price = `${1000 + i * 100}.5`;
  const deleted = i === 7;
  return {
    product_id: `p${i}`,
    title: `Товар ${i}`,
    description: null,
    category: i % 2 === 0 ? 'Обувь' : 'Одежда',
    price,
    price_value: Number(price),
    currency: i % 5 === 0 ? 'USD' : 'KGS',
    image_key: `p${i}/main.jpg`,
    deleted,
    deleted_at: deleted ? Date.UTC(2025, 10, 12, 11) : null,
    versions: {},
    last_event_id: `evt_p${i}`,
    last_event_type: deleted ? 'product.deleted' : 'product.created',
    event_time: Date.UTC(2025, 10, 12, 10) + i,
    image_source: `p${i}/main.jpg@`,
    image_sha256: null,
    model_id: modelId,
    searchable: !deleted,
  };
}
