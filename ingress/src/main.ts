import cluster from 'node:cluster';
import { createKafkaClient, createServiceLogger, loadOrExit } from '@vsp/platform';
import closeWithGrace from 'close-with-grace';
import { buildIngress } from './app.js';
import { clusterMetricsSource } from './cluster/cluster-metrics.js';
import { runWorkerPool } from './cluster/worker-pool.js';
import { loadIngressConfig } from './config.js';

const config = loadOrExit('ingress', () => loadIngressConfig());
const logger = createServiceLogger('ingress', config);

if (cluster.isPrimary && config.INGRESS_WORKERS > 1) {
  process.exitCode = await runWorkerPool({ workers: config.INGRESS_WORKERS, logger });
  logger.info('Ingress stopped');
  logger.flush();
} else {
  const kafka = createKafkaClient({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const app = await buildIngress({
    config,
    logger,
    kafka,
    ...(cluster.isWorker ? { clusterMetrics: clusterMetricsSource } : {}),
    onFatal: (error) => {
      logger.fatal({ err: error }, `Ingress cannot start: ${error.message}`);
      void app.close().finally(() => process.exit(1));
    },
  });

  // The one place that handles signals in a process serving HTTP: stop taking requests, let
  // in-flight ones finish, flush the producer, disconnect. A second signal, or the timeout,
  // exits at once.
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'Ingress stopping after an unexpected error');
    else logger.info(`Ingress stopping on ${signal}`);
    await app.close();
    logger.info('Ingress stopped');
    logger.flush();
  });

  await app.listen({ port: config.PORT, host: config.HOST });
}
