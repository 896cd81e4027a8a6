import { ServiceMetrics } from '@vsp/platform';
import fp from 'fastify-plugin';
import { Counter, Histogram } from 'prom-client';
import type { SearchStage } from '../visual-search.js';

/** Search latency by stage, and answers by route and code. */
export class SearchMetrics extends ServiceMetrics {
  readonly stageSeconds = new Histogram({
    name: 'visual_search_search_stage_seconds',
    help: 'Time per stage of a search: decode (the uploaded image), embed (the model), query (the vector store)',
    labelNames: ['stage'] as const,
    // Fine from 1 to 50 ms, where a query's and an embedding's times lie, so a p99 can be told.
    buckets: [0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'visual_search_search_requests_total',
    help: 'Search API answers, by route and code (ok or an error code)',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });

  constructor() {
    super('visual_search_search_');
  }

  observeStage(stage: SearchStage, seconds: number): void {
    this.stageSeconds.observe({ stage }, seconds);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    searchMetrics: SearchMetrics;
  }
}

/** Decorates `searchMetrics` with the instance given and serves them at GET /api/v1/metrics. */
export const searchMetricsPlugin = fp<{ metrics: SearchMetrics }>(
  async (app, { metrics }) => {
    app.decorate('searchMetrics', metrics);
    app.get('/api/v1/metrics', async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'search-metrics' },
);
