import { createKafkaClient, createLogger, loadOrExit } from '@vsp/platform';
import { HealthServer } from '../runtime/health-server.js';
import { ProcessorMetrics } from '../runtime/processor-metrics.js';
import { runProcessor } from '../runtime/run-processor.js';
import { untilAvailable } from '../runtime/until-available.js';
import { loadEmbeddingConfig } from './config.js';
import { createEmbeddingProcessor } from './embedding-processor.js';
import { openModel } from './model/open-model.js';
import { openVectorStore } from './vector-store/open-vector-store.js';

const config = loadOrExit('embedding', () => loadEmbeddingConfig());
const logger = createLogger({ name: 'embedding', level: config.LOG_LEVEL, logDir: config.LOG_DIR || undefined });
const model = await openModel(config);
const store = await untilAvailable(
  'The vector store',
  () => openVectorStore(config, { dimension: model.dimension, modelId: model.spec.id }),
  logger,
);
logger.info(`Vector index: Qdrant at ${config.QDRANT_URL}, alias ${config.VECTOR_ALIAS}`);
const metrics = new ProcessorMetrics('visual_search_embedding_');
const kafka = createKafkaClient({ clientId: config.EMBEDDING_GROUP_ID, brokers: config.KAFKA_BROKERS, logger });
const processor = createEmbeddingProcessor({ config, kafka, store, model, logger, metrics });

await runProcessor({
  title: 'Embedding processor',
  logger,
  processor,
  health: new HealthServer(metrics, () => processor.health()),
  port: config.EMBEDDING_PORT,
  host: config.EMBEDDING_HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  release: async () => {
    await store.close();
    await model.close();
  },
});
