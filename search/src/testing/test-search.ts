import type { AddressInfo } from 'node:net';
import {
  createEventTopic,
  productEvent,
  productImage,
  startImageHost,
  startTestEmbedding,
  TEST_MODEL,
} from '@vsp/processors/testing';
import { type CleanupContext, onCleanup } from '@vsp/test-harness';
import pino from 'pino';
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
 * A real search service on a free loopback port over the index the given embedding processor
 * keeps (the same Qdrant, alias and model cache). Overrides are environment variables. Closed
 * after the test.
 */
export async function startTestSearch(
  t: CleanupContext,
  index: { QDRANT_URL?: string | undefined; VECTOR_ALIAS: string; MODEL_CACHE_DIR: string; IMAGE_BASE_URL: string },
  overrides: Record<string, string> = {},
): Promise<TestSearch> {
  const config = loadSearchConfig({
    QDRANT_URL: index.QDRANT_URL,
    VECTOR_ALIAS: index.VECTOR_ALIAS,
    MODEL: TEST_MODEL,
    MODEL_CACHE_DIR: index.MODEL_CACHE_DIR,
    IMAGE_BASE_URL: index.IMAGE_BASE_URL,
    LOG_DIR: '',
    ...overrides,
  });
  const service = await createSearchService(config, pino({ level: 'silent' }));
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
 * 1000.5 + 100·i, USD every fifth, p7 deleted; indexed through the real embedding processor, and
 * a search service over that index.
 */
export async function indexedCatalogue(t: CleanupContext, overrides: Record<string, string> = {}) {
  const host = await startImageHost(t);
  const images = await Promise.all(Array.from({ length: CATALOGUE_PRODUCTS }, (_, i) => productImage(50_000 + i)));
  for (const [i, image] of images.entries()) host.put(`p${i}/main.jpg`, image);
  const topic = await createEventTopic(t, 3);
  const t0 = Date.UTC(2025, 10, 12, 10);
  const events = images.map((_, i) =>
    productEvent('product.created', `p${i}`, t0 + i, {
      title: `Товар ${i}`,
      category: i % 2 === 0 ? 'Обувь' : 'Одежда',
      price: `${1000 + i * 100}.5`,
      currency: i % 5 === 0 ? 'USD' : 'KGS',
      image_key: `p${i}/main.jpg`,
    }),
  );
  events.push(productEvent('product.deleted', 'p7', t0 + 1_000));
  await topic.produce(events);
  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl);
  await embedding.waitForHandled(events.length);
  const search = await startTestSearch(t, embedding.config, overrides);
  return { images, search };
}
