import { LanceDbVectorStore } from './lancedb-vector-store.js';
import { QdrantVectorStore } from './qdrant-vector-store.js';
import type { VectorStore } from './vector-store.js';

export interface VectorStoreSettings {
  QDRANT_URL?: string | undefined;
  QDRANT_API_KEY?: string | undefined;
  VECTOR_DATA_DIR: string;
  VECTOR_ALIAS: string;
}

/** Qdrant when QDRANT_URL is set, else the embedded LanceDB store; opened behind the alias. */
export async function openVectorStore(
  settings: VectorStoreSettings,
  { dimension, modelId }: { dimension: number; modelId: string },
): Promise<VectorStore> {
  const options = { alias: settings.VECTOR_ALIAS, dimension, modelId };
  const store = settings.QDRANT_URL
    ? new QdrantVectorStore(settings.QDRANT_URL, options, settings.QDRANT_API_KEY)
    : new LanceDbVectorStore(settings.VECTOR_DATA_DIR, options);
  await store.open();
  return store;
}
