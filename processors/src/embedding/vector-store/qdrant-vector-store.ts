import { QdrantClient } from '@qdrant/js-client-rest';
import { SinkRejectedError, SinkUnavailableError } from '../../errors.js';
import type { ProductPayload } from './product-payload.js';
import {
  type IndexStats,
  type ProductPoint,
  pointId,
  type SearchHit,
  type VectorStore,
  type VectorStoreOptions,
} from './vector-store.js';

/** Payload fields people filter by get an index. */
const PAYLOAD_INDEXES = [
  ['product_id', 'keyword'],
  ['category', 'keyword'],
  ['currency', 'keyword'],
  ['deleted', 'bool'],
  ['searchable', 'bool'],
  ['model_id', 'keyword'],
  ['event_time', 'float'],
] as const;

/** The production store: Qdrant over REST, collection `<alias>_v1` behind the alias. */
export class QdrantVectorStore implements VectorStore {
  readonly #client: QdrantClient;
  #collection: string | undefined;

  constructor(
    url: string,
    private readonly options: VectorStoreOptions,
    apiKey?: string,
  ) {
    this.#client = new QdrantClient({ url, checkCompatibility: false, ...(apiKey ? { apiKey } : {}) });
  }

  async open(): Promise<void> {
    await this.#run(async () => {
      const { aliases } = await this.#client.getAliases();
      const existing = aliases.find((a) => a.alias_name === this.options.alias);
      if (existing) {
        this.#collection = existing.collection_name;
        return;
      }
      const collection = `${this.options.alias}_v1`;
      if (!(await this.#client.collectionExists(collection)).exists) {
        await this.#client.createCollection(collection, {
          vectors: { size: this.options.dimension, distance: 'Cosine' },
        });
        for (const [field_name, field_schema] of PAYLOAD_INDEXES) {
          await this.#client.createPayloadIndex(collection, { field_name, field_schema, wait: true });
        }
      }
      await this.#client.updateCollectionAliases({
        actions: [{ create_alias: { collection_name: collection, alias_name: this.options.alias } }],
      });
      this.#collection = collection;
    });
  }

  async get(productIds: readonly string[]): Promise<Map<string, ProductPoint>> {
    if (productIds.length === 0) return new Map();
    const points = await this.#run(() =>
      this.#client.retrieve(this.options.alias, {
        ids: productIds.map(pointId),
        with_payload: true,
        with_vector: true,
      }),
    );
    return new Map(
      points.map((point) => {
        const payload = point.payload as unknown as ProductPayload;
        return [
          payload.product_id,
          { productId: payload.product_id, vector: Float32Array.from(point.vector as number[]), payload },
        ];
      }),
    );
  }

  async upsert(points: readonly ProductPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.#run(() =>
      this.#client.upsert(this.options.alias, {
        wait: true,
        points: points.map((p) => ({
          id: pointId(p.productId),
          vector: Array.from(p.vector),
          payload: p.payload as unknown as Record<string, unknown>,
        })),
      }),
    );
  }

  async search(vector: Float32Array, k: number): Promise<SearchHit[]> {
    const hits = await this.#run(() =>
      this.#client.search(this.options.alias, {
        vector: Array.from(vector),
        limit: k,
        filter: { must: [{ key: 'searchable', match: { value: true } }] },
        with_payload: true,
      }),
    );
    return hits.map((hit) => {
      const payload = hit.payload as unknown as ProductPayload;
      return { productId: payload.product_id, score: hit.score, payload };
    });
  }

  async stats(): Promise<IndexStats> {
    const collection = this.#collection ?? `${this.options.alias}_v1`;
    const info = await this.#run(() => this.#client.getCollection(collection));
    const vectors = info.config.params.vectors as { size: number };
    const sample = await this.#run(() => this.#client.scroll(collection, { limit: 1, with_payload: true }));
    const modelId = (sample.points[0]?.payload as { model_id?: string } | undefined)?.model_id ?? this.options.modelId;
    return { alias: this.options.alias, collection, points: info.points_count ?? 0, dimension: vectors.size, modelId };
  }

  async close(): Promise<void> {}

  /**
   * Qdrant's own refusals (400 bad request, 422 wrong vector size, other 4xx but timeouts and
   * throttling) will fail again however often they are retried: permanent. Anything else (no
   * answer, 5xx, 408, 429) may pass.
   */
  async #run<R>(work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      const message = `Qdrant answered ${typeof status === 'number' ? status : 'nothing'}: ${(error as Error).message}`;
      if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429) {
        throw new SinkRejectedError(message, { cause: error });
      }
      throw new SinkUnavailableError(message, { cause: error });
    }
  }
}
