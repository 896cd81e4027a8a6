import type { QdrantClient } from '@qdrant/js-client-rest';
import { SinkRejectedError, SinkUnavailableError } from '@vsp/platform';
import type { ProductPayload } from './product-payload.js';
import {
  type CategoryCount,
  type ProductPoint,
  pointId,
  type SearchFilter,
  type SearchHit,
  type VectorStore,
} from './vector-store.js';

/** The production store: one Qdrant collection (or the alias over one), over REST. */
export class QdrantVectorStore implements VectorStore {
  constructor(
    private readonly client: QdrantClient,
    readonly name: string,
  ) {}

  async get(productIds: readonly string[]): Promise<Map<string, ProductPoint>> {
    if (productIds.length === 0) return new Map();
    const points = await callQdrant(() =>
      this.client.retrieve(this.name, { ids: productIds.map(pointId), with_payload: true, with_vector: true }),
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
    await callQdrant(() =>
      this.client.upsert(this.name, {
        wait: true,
        points: points.map((p) => ({
          id: pointId(p.productId),
          vector: Array.from(p.vector),
          payload: p.payload as unknown as Record<string, unknown>,
        })),
      }),
    );
  }

  async search(vector: Float32Array, k: number, filter: SearchFilter = {}): Promise<SearchHit[]> {
    const hits = await callQdrant(() =>
      this.client.search(this.name, {
        vector: Array.from(vector),
        limit: k,
        filter: qdrantFilter(filter),
        with_payload: true,
      }),
    );
    return hits.map((hit) => {
      const payload = hit.payload as unknown as ProductPayload;
      return { productId: payload.product_id, score: hit.score, payload };
    });
  }

  async count(): Promise<number> {
    return (await callQdrant(() => this.client.count(this.name, { exact: true }))).count;
  }

  async categories(limit: number): Promise<CategoryCount[]> {
    const { hits } = await callQdrant(() =>
      this.client.facet(this.name, { key: 'category', limit, exact: true, filter: qdrantFilter({}) }),
    );
    return hits.map((hit) => ({ category: String(hit.value), products: hit.count }));
  }
}

/** Only searchable points, narrowed by the filter's fields. */
function qdrantFilter({ category, currency, minPrice, maxPrice, excludeProductId }: SearchFilter) {
  const must: Record<string, unknown>[] = [{ key: 'searchable', match: { value: true } }];
  if (category !== undefined) must.push({ key: 'category', match: { value: category } });
  if (currency !== undefined) must.push({ key: 'currency', match: { value: currency } });
  if (minPrice !== undefined || maxPrice !== undefined) {
    must.push({ key: 'price_value', range: { gte: minPrice ?? null, lte: maxPrice ?? null } });
  }
  const mustNot = excludeProductId === undefined ? [] : [{ key: 'product_id', match: { value: excludeProductId } }];
  return { must, must_not: mustNot };
}

/**
 * Runs one Qdrant request, classifying its failure. Qdrant's own refusals (400 bad request, 422
 * wrong vector size, other 4xx but timeouts and throttling) will fail again however often they
 * are retried: permanent. Anything else (no answer, 5xx, 408, 429) may pass.
 */
export async function callQdrant<R>(work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (error) {
    const status = qdrantStatus(error);
    const message = `Qdrant answered ${status ?? 'nothing'}: ${(error as Error).message}`;
    if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
      throw new SinkRejectedError(message, { cause: error });
    }
    throw new SinkUnavailableError(message, { cause: error });
  }
}

/** The HTTP status Qdrant answered with, read from the client's error or from our error around it. */
export function qdrantStatus(error: unknown): number | undefined {
  const { status, cause } = (error ?? {}) as { status?: unknown; cause?: unknown };
  if (typeof status === 'number') return status;
  return cause === undefined ? undefined : qdrantStatus(cause);
}
