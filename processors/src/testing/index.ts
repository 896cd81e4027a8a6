export { createEventTopic, type EventTopic } from './event-topic.js';
export { counterTotal } from './processor-counters.js';
export { catalogueHistories, expectedCatalogue, productEvent, SELECT_CATALOGUE } from './product-events.js';
export {
  createTestEmbedding,
  indexSettingsOf,
  rebuildOf,
  startTestEmbedding,
  TEST_MODEL,
  type TestEmbedding,
  testEmbeddingConfig,
} from './test-embedding.js';
export { startTestPersistence, type TestPersistence } from './test-persistence.js';
