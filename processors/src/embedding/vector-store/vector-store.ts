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

export interface IndexStats {
  alias: string;
  collection: string;
  points: number;
  dimension: number;
  modelId: string;
}

/**
 * The vector index. Reached through an alias over a versioned collection, so a rebuild can fill a
 * new collection and swap the alias at once. The adapter passes the contract suite
 * (testing/vector-store.contract.ts) against a real Qdrant.
 */
export interface VectorStore {
  /** Points the alias at a collection for this dimension, creating `<alias>_v1` on first use. */
  open(): Promise<void>;
  get(productIds: readonly string[]): Promise<Map<string, ProductPoint>>;
  /** Insert or replace by product id; idempotent. */
  upsert(points: readonly ProductPoint[]): Promise<void>;
  /** Nearest searchable products (not deleted, with a real vector), best first. */
  search(vector: Float32Array, k: number): Promise<SearchHit[]>;
  stats(): Promise<IndexStats>;
  close(): Promise<void>;
}

export interface VectorStoreOptions {
  /** The alias searches go through, e.g. "products". */
  alias: string;
  dimension: number;
  modelId: string;
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
