export { waitFor } from '@vsp/platform';
export { type FailingCalls, failNth } from './fail-nth.js';
export { type ServiceName, type StoppedService, stopService } from './faults.js';
export { freePort, freePortPair, freePortRange } from './free-port.js';
export { ensureInfra } from './infra.js';
export {
  type ConsumedRecord,
  createKafka,
  createTopic,
  readRecords,
  topicRecordCount,
  uniqueGroupId,
} from './kafka.js';
export { type KafkaCluster, startKafkaCluster } from './kafka-cluster.js';
export { createOwnInfra } from './own-infra.js';
export { createTestDatabase, type TestDatabase } from './postgres.js';
export { confluentPython } from './python.js';
export { type QdrantCluster, startQdrantCluster } from './qdrant-cluster.js';
export { rawHttpExchange } from './raw-http.js';
export { createSchemaRegistry, deleteSubjectAfter, uniqueSubject } from './schema-registry.js';
export { nearDuplicate, productImage, seededRandom } from './synthetic-images.js';
export { type CleanupContext, onCleanup } from './test-context.js';
export { uniqueName } from './unique-name.js';
export {
  createVectorIndex,
  skipWithoutQdrant,
  TEST_INDEX_STORES,
  type TestIndexStore,
  type TestVectorIndex,
} from './vector-index.js';
