import { createKafkaClient, createLogger, loadOrExit } from '@vsp/platform';
import closeWithGrace from 'close-with-grace';
import { HealthServer } from '../runtime/health-server.js';
import { ProcessorMetrics } from '../runtime/processor-metrics.js';
import { loadEmbeddingConfig } from './config.js';
import { createEmbeddingProcessor } from './embedding-processor.js';
import { openModel } from './model/open-model.js';
import { openVectorStore } from './vector-store/open-vector-store.js';

const config = loadOrExit('embedding', () => loadEmbeddingConfig());
const logger = createLogger({ name: 'embedding', level: config.LOG_LEVEL, logDir: config.LOG_DIR || undefined });
const model = await openModel(config);
const store = await openVectorStore(config, { dimension: model.dimension, modelId: model.spec.id });
logger.info(
  `Vector index: ${config.QDRANT_URL ? `Qdrant at ${config.QDRANT_URL}` : `LanceDB in ${config.VECTOR_DATA_DIR}`}, alias ${config.VECTOR_ALIAS}`,
);
const metrics = new ProcessorMetrics('visual_search_embedding_');
const kafka = createKafkaClient({ clientId: config.EMBEDDING_GROUP_ID, brokers: config.KAFKA_BROKERS, logger });
const processor = createEmbeddingProcessor({ config, kafka, store, model, logger, metrics });
const health = new HealthServer(metrics, () => processor.health());

// The one place that handles signals. Order: stop consuming (commit, leave the group), the health
// endpoint, the vector store, the model's worker. A second signal, or the timeout, exits at once.
closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'Embedding processor stopping after an unexpected error');
  else logger.info(`Embedding processor stopping on ${signal}`);
  await processor.close();
  await health.close();
  await store.close();
  await model.close();
  logger.info('Embedding processor stopped');
  logger.flush();
});
processor.onFatal((error) => {
  logger.fatal({ err: error }, 'Kafka consumer crashed for good; exiting so the supervisor restarts us');
  process.exit(1);
});

await health.listen(config.EMBEDDING_PORT, config.EMBEDDING_HOST);
await processor.start();
