import { BREAKER_GAUGE_VALUE, type BreakerState, ServiceMetrics } from '@vsp/platform';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The seed's three metrics (label event_type), plus what an operator needs beside them. */
export class IngressMetrics extends ServiceMetrics {
  readonly webhooks = new Counter({
    name: 'visual_search_webhooks_total',
    help: 'Webhooks accepted and durably queued in Kafka',
    labelNames: ['event_type'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'visual_search_webhooks_errors_total',
    help: 'Webhooks answered with an error (event_type "unknown" when the body was not read)',
    labelNames: ['event_type'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'visual_search_webhook_processing_duration_seconds',
    help: 'Time from request to answer, including the Kafka acknowledgement',
    labelNames: ['event_type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: 'visual_search_webhook_rejections_total',
    help: 'Webhooks answered with an error, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly breaker = new Gauge({
    name: 'visual_search_ingress_kafka_breaker_state',
    help: 'Kafka circuit breaker: 0 closed, 1 half-open, 2 open (the worst worker)',
    aggregator: 'max',
    registers: [this.registry],
  });

  setBreaker(state: BreakerState): void {
    this.breaker.set(BREAKER_GAUGE_VALUE[state]);
  }

  constructor() {
    super('visual_search_ingress_');
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: IngressMetrics;
  }
}

export interface MetricsPluginOptions {
  /** Given this process's registry, the text to serve instead of it: every worker's metrics together. */
  clusterMetrics?: (registry: Registry) => () => Promise<string>;
}

/** Decorates `metrics` and serves them at GET /api/v1/metrics in Prometheus text format. */
export const metricsPlugin = fp<MetricsPluginOptions>(
  async (app, { clusterMetrics }) => {
    const metrics = new IngressMetrics();
    app.decorate('metrics', metrics);
    const text = clusterMetrics ? clusterMetrics(metrics.registry) : () => metrics.registry.metrics();
    app.get('/api/v1/metrics', async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return text();
    });
  },
  { name: 'metrics' },
);
