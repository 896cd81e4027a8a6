import { IndexVersions } from '@vsp/vector-index';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildSearchApp } from './app.js';
import type { SearchConfig } from './config.js';
import { SearchMetrics } from './plugins/search-metrics.js';
import { VisualSearch } from './visual-search.js';

export interface SearchService {
  app: FastifyInstance;
  metrics: SearchMetrics;
  /** Stops taking requests, then releases the model. Safe to call more than once. */
  close(): Promise<void>;
}

/** The search service over the index in `config`, serving what the alias points at, not yet listening. */
export async function createSearchService(config: SearchConfig, logger: Logger): Promise<SearchService> {
  const metrics = new SearchMetrics();
  const search = new VisualSearch({
    versions: IndexVersions.open(config),
    models: config,
    aliasCheckIntervalMs: config.ALIAS_CHECK_INTERVAL_MS,
    maxPixels: config.IMAGE_MAX_PIXELS,
    imageBaseUrl: config.IMAGE_BASE_URL,
    logger,
    onStage: (stage, seconds) => metrics.observeStage(stage, seconds),
  });
  await search.start();
  const app = await buildSearchApp({ config, logger: logger as FastifyBaseLogger, search, metrics });
  let closing: Promise<void> | undefined;
  return {
    app,
    metrics,
    close: () => {
      closing ??= (async () => {
        await app.close();
        await search.close();
      })();
      return closing;
    },
  };
}
