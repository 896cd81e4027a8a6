import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import { clientErrorHandler } from '@vsp/platform';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { SearchConfig } from './config.js';
import { errorHandler } from './error-handler.js';
import { NotFoundError } from './errors.js';
import { apiKeyPlugin } from './plugins/api-key.js';
import { type SearchMetrics, searchMetricsPlugin } from './plugins/search-metrics.js';
import { healthRoutes } from './routes/health.js';
import { localImageRoutes } from './routes/local-images.js';
import { pageRoutes } from './routes/page.js';
import { searchRoutes } from './routes/search.js';
import type { VisualSearch } from './visual-search.js';

export interface SearchAppDependencies {
  config: SearchConfig;
  logger: FastifyBaseLogger;
  search: VisualSearch;
  metrics: SearchMetrics;
}

/** The search service as a Fastify instance, not yet listening. */
export async function buildSearchApp({
  config,
  logger,
  search,
  metrics,
}: SearchAppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.IMAGE_MAX_BYTES,
    clientErrorHandler: clientErrorHandler(({ code, message }) => ({ code, message })),
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request) => {
    throw new NotFoundError(`no route ${request.method} ${request.url.split('?')[0]}`);
  });
  const origins = config.SEARCH_CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  await app.register(cors, { origin: origins.length > 0 ? origins : false });
  await app.register(multipart);
  await app.register(searchMetricsPlugin, { metrics });
  await app.register(apiKeyPlugin, { apiKey: config.SEARCH_API_KEY });
  await app.register(healthRoutes, { search });
  await app.register(pageRoutes);
  const images = new URL(config.IMAGE_BASE_URL);
  if (images.protocol === 'file:')
    await app.register(localImageRoutes, { folder: images, maxBytes: config.IMAGE_MAX_BYTES });
  await app.register(searchRoutes, { search, maxK: config.SEARCH_MAX_K, maxImageBytes: config.IMAGE_MAX_BYTES });
  return app;
}
