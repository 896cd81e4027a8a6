import { QdrantClient } from '@qdrant/js-client-rest';
import type { CollectionBackend, CollectionInfo, CollectionMetadata } from './collection-backend.js';
import { callQdrant, QdrantVectorStore, qdrantStatus } from './qdrant-vector-store.js';

/** Payload fields people filter by get an index. */
const PAYLOAD_INDEXES = [
  ['product_id', 'keyword'],
  ['category', 'keyword'],
  ['currency', 'keyword'],
  ['price_value', 'float'],
  ['deleted', 'bool'],
  ['searchable', 'bool'],
  ['model_id', 'keyword'],
  ['event_time', 'float'],
] as const;

/**
 * A client of the Qdrant at `url`. It asks for uncompressed answers: Node's fetch offers gzip, and
 * a compressed answer of a few kilobytes (a search's payloads) reached it 45 ms late on loopback
 * against 2–4 ms uncompressed (`npm run bench -- --only search`: query p50 39 ms before, on
 * 100,000 points).
 */
export function createQdrantClient(url: string, apiKey?: string | undefined): QdrantClient {
  return new QdrantClient({
    url,
    checkCompatibility: false,
    headers: { 'accept-encoding': 'identity' },
    ...(apiKey ? { apiKey } : {}),
  });
}

/** Collections, their metadata and aliases, as Qdrant keeps them. */
export class QdrantBackend implements CollectionBackend {
  readonly description: string;

  constructor(
    readonly client: QdrantClient,
    url = 'a Qdrant server',
  ) {
    this.description = `Qdrant at ${url}`;
  }

  async collectionNames(): Promise<string[]> {
    const { collections } = await callQdrant(() => this.client.getCollections());
    return collections.map((c) => c.name);
  }

  async collection(name: string): Promise<CollectionInfo | undefined> {
    const info = await callQdrant(() => this.client.getCollection(name)).catch((error: unknown) => {
      if (qdrantStatus(error) === 404) return undefined;
      throw error;
    });
    if (!info) return undefined;
    const vectors = info.config.params.vectors as { size: number };
    return { dimension: vectors.size, metadata: (info.config.metadata ?? {}) as CollectionMetadata };
  }

  async createCollection(name: string, dimension: number, metadata: CollectionMetadata): Promise<boolean> {
    // Through the raw API: the client's createCollection drops `metadata` (js-client-rest 1.18).
    const created = await callQdrant(() =>
      this.client
        .api()
        .createCollection({ collection_name: name, vectors: { size: dimension, distance: 'Cosine' }, metadata }),
    ).then(
      () => true,
      (error: unknown) => {
        if (qdrantStatus(error) === 409) return false;
        throw error;
      },
    );
    // Idempotent, and done by whoever found the collection created too: instances that raced to
    // create it all leave it with its indexes.
    for (const [field_name, field_schema] of PAYLOAD_INDEXES) {
      await callQdrant(() => this.client.createPayloadIndex(name, { field_name, field_schema, wait: true }));
    }
    return created;
  }

  async updateMetadata(name: string, metadata: CollectionMetadata): Promise<void> {
    await callQdrant(() => this.client.updateCollection(name, { metadata }));
  }

  async deleteCollection(name: string): Promise<void> {
    await callQdrant(() => this.client.deleteCollection(name));
  }

  async aliasTarget(alias: string): Promise<string | undefined> {
    const { aliases } = await callQdrant(() => this.client.getAliases());
    return aliases.find((a) => a.alias_name === alias)?.collection_name;
  }

  async setAlias(alias: string, collection: string): Promise<void> {
    const current = await this.aliasTarget(alias);
    // Delete and create in one call: every search sees the old collection or the new one.
    await callQdrant(() =>
      this.client.updateCollectionAliases({
        actions: [
          ...(current === undefined ? [] : [{ delete_alias: { alias_name: alias } }]),
          { create_alias: { collection_name: collection, alias_name: alias } },
        ],
      }),
    );
  }

  /** Nothing to do: Qdrant builds its HNSW index in the background as points arrive. */
  async optimize(): Promise<void> {}

  store(name: string): QdrantVectorStore {
    return new QdrantVectorStore(this.client, name);
  }

  async close(): Promise<void> {}
}
