import { randomUUID } from 'node:crypto';
import { clientErrorHandler } from '@vsp/platform';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Kafka } from 'kafkajs';
import { eventLogSettingsOf, type IngressConfig } from './config.js';
import { errorHandler } from './error-handler.js';
import { eventLogPlugin } from './plugins/event-log-plugin.js';
import { gracefulClosePlugin } from './plugins/graceful-close.js';
import { type MetricsPluginOptions, metricsPlugin } from './plugins/metrics.js';
import { healthRoutes } from './routes/health.js';
import { webhookRoutes } from './routes/webhooks.js';
import { WebhookSignature } from './webhook/signature.js';

export interface IngressDependencies {
  config: IngressConfig;
  logger: FastifyBaseLogger;
  /** The Kafka client; a test may hand in one pointed at a broker it controls. */
  kafka: Kafka;
  /** The ingress cannot work as configured (a topic replication the cluster cannot hold). Default: log it. */
  onFatal?: (error: Error) => void;
  /** In a worker of several: what /api/v1/metrics serves, given this worker's registry (all workers' metrics). */
  clusterMetrics?: MetricsPluginOptions['clusterMetrics'];
}

/** The ingress as a Fastify instance, not yet listening. */
export async function buildIngress({
  config,
  logger,
  kafka,
  onFatal = (error) => logger.fatal({ err: error }, error.message),
  clusterMetrics,
}: IngressDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    // One line per webhook in the seed's words is logged by the route; per-request access logs
    // would double the log volume at thousands of requests a second.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    clientErrorHandler: clientErrorHandler(({ code, message }) => ({ success: false, code, message })),
    bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
    // Slow clients must not hold sockets: Node answers 408 and closes once this passes, checked
    // every second rather than every 30 s. Node reads these when the server is created, so they
    // go to http.createServer as well as to Fastify.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    http: {
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      headersTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 1_000,
    },
  });
  app.setErrorHandler(errorHandler);
  await app.register(gracefulClosePlugin);
  await app.register(metricsPlugin, clusterMetrics ? { clusterMetrics } : {});
  await app.register(eventLogPlugin, { settings: eventLogSettingsOf(config), kafka, onFatal });
  await app.register(healthRoutes);
  await app.register(webhookRoutes, {
    signature: new WebhookSignature(config.webhookSecrets),
    bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
    eventTimePolicy: config.eventTimePolicy,
  });
  return app;
}
