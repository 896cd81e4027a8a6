export { CLIP_SIZED_MODEL, CLIP_SIZED_MULTIPLY_ADDS, ensureClipSizedModel } from './clip-sized-model.js';
export { FakeQdrantServer } from './fake-qdrant-server.js';
export { type ImageHost, startImageHost } from './image-host.js';
export { createTestVersions, testVersionsOf } from './test-versions.js';
export { CONTRACT_DIMENSION, contractPoint, type StoreFactory, vectorStoreContract } from './vector-store.contract.js';
