import { createKafkaClient, createServiceLogger, loadOrExit } from '@vsp/platform';
import { IndexVersions } from '@vsp/vector-index';
import { HealthServer } from '../runtime/health-server.js';
import { runProcessor } from '../runtime/run-processor.js';
import { embeddingProcessorSettingsOf, loadEmbeddingConfig } from './config.js';
import { EmbeddingMetrics } from './embedding-metrics.js';
import { EmbeddingProcessor } from './embedding-processor.js';

const config = loadOrExit('embedding', () => loadEmbeddingConfig());
const logger = createServiceLogger('embedding', config);
const metrics = new EmbeddingMetrics('visual_search_embedding_');
const processor = new EmbeddingProcessor({
  ...embeddingProcessorSettingsOf(config),
  kafka: createKafkaClient({ clientId: config.EMBEDDING_GROUP_ID, brokers: config.KAFKA_BROKERS, logger }),
  versions: IndexVersions.open(config),
  logger,
  metrics,
});

await runProcessor({
  title: 'Embedding processor',
  logger,
  processor,
  health: new HealthServer(metrics, () => processor.health()),
  port: config.EMBEDDING_PORT,
  host: config.EMBEDDING_HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
});
