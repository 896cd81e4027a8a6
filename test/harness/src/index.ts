export { waitFor } from '@vsp/platform';
export { ensureInfra } from './infra.js';
export { createKafka, createTopic, uniqueGroupId } from './kafka.js';
export { createTestDatabase, type TestDatabase } from './postgres.js';
export { createSchemaRegistry, uniqueSubject } from './schema-registry.js';
export { type CleanupContext, onCleanup } from './test-context.js';
export { uniqueName } from './unique-name.js';
