import { QdrantVectorStore } from './qdrant-vector-store.js';
import type { VectorStore } from './vector-store.js';

export interface VectorStoreSettings {
  QDRANT_URL: string;
  QDRANT_API_KEY?: string | undefined;
  VECTOR_ALIAS: string;
}

/** The Qdrant store from the settings, opened behind the alias. */
export async function openVectorStore(
  settings: VectorStoreSettings,
  { dimension, modelId }: { dimension: number; modelId: string },
): Promise<VectorStore> {
  const store = new QdrantVectorStore(
    settings.QDRANT_URL,
    { alias: settings.VECTOR_ALIAS, dimension, modelId },
    settings.QDRANT_API_KEY,
  );
  await store.open();
  return store;
}
