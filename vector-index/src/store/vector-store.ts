import { createHash } from 'node:crypto';
import type { ProductPayload } from './product-payload.js';

export interface ProductPoint {
  productId: string;
  vector: Float32Array;
  payload: ProductPayload;
}

export interface SearchHit {
  productId: string;
  /** Cosine similarity, 1 = identical direction. */
  score: number;
  payload: ProductPayload;
}

/** What a search may be narrowed to; every field optional. */
export interface SearchFilter {
  category?: string | undefined;
  currency?: string | undefined;
  /** Inclusive bounds on the price, in major units. */
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  /** Leave this product out (when looking for products similar to it). */
  excludeProductId?: string | undefined;
}

/**
 * One collection of the vector index, or the alias that serves one (reads and writes through an
 * alias reach the collection it points at). Which collections exist and which one the alias serves
 * is IndexVersions' business (index-versions.ts). The adapter passes the contract suite
 * (testing/vector-store.contract.ts) against a real Qdrant.
 */
export interface VectorStore {
  /** The collection or alias this store reads and writes. */
  readonly name: string;
  get(productIds: readonly string[]): Promise<Map<string, ProductPoint>>;
  /** Insert or replace by product id; idempotent. */
  upsert(points: readonly ProductPoint[]): Promise<void>;
  /** Nearest searchable products (not deleted, with a real vector) that pass the filter, best first. */
  search(vector: Float32Array, k: number, filter?: SearchFilter): Promise<SearchHit[]>;
  /** Points held, exactly; also a cheap request that fails while the store is down. */
  count(): Promise<number>;
  /** The categories of searchable products, with how many each has, most first, at most `limit`. */
  categories(limit: number): Promise<CategoryCount[]>;
}

export interface CategoryCount {
  category: string;
  products: number;
}

// A fixed namespace for UUIDv5: the same product id gives the same point id in every store.
const NAMESPACE = Buffer.from('6f1c3b0e9d2a4f5e8b7c1a2d3e4f5a6b', 'hex');

/** RFC 4122 UUID version 5 of the product id: the point id everywhere. */
export function pointId(productId: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(productId, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
