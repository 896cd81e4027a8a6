import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import { clientErrorHandler } from '@vsp/platform';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
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
    // Fastify's two JSON lines per request are replaced by one line in requestLine below.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.addHook('onResponse', async (request, reply) => requestLine(request, reply));
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

/** Routes that browsers, probes and scrapers call all the time: their lines are at debug. */
const QUIET_ROUTES = new Set(['/', '/api/v1/health', '/api/v1/ready', '/api/v1/metrics', '/images/*']);

/** One line per answer, with what a person looks for in it: method, path, status, time. */
function requestLine(request: FastifyRequest, reply: FastifyReply): void {
  const line = `${request.method} ${request.url.split('?')[0]} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`;
  if (QUIET_ROUTES.has(request.routeOptions.url ?? '')) request.log.debug(line);
  else request.log.info(line);
}
