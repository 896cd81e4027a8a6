import type { VectorStore } from './vector-store.js';

/** What a collection records about itself besides its vectors (IndexVersions decides what). */
export type CollectionMetadata = Record<string, string | null>;

/** How a collection keeps its vectors: as floats only, or with int8 copies that the search runs on. */
export const QUANTIZATIONS = ['none', 'int8'] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

export interface CollectionLayout {
  dimension: number;
  quantization: Quantization;
  /** Filled in bulk before anyone searches it (a version being built): a store may index it once, at the end. */
  bulkLoad: boolean;
}

export interface CollectionInfo {
  dimension: number;
  metadata: CollectionMetadata;
}

/**
 * The few things IndexVersions needs from a vector database: named collections of one vector
 * dimension with a little metadata each, and aliases that name one collection and move to another
 * in one step, seen by every process. Qdrant has all of it; the embedded store keeps the
 * metadata and aliases in a catalogue file beside its tables.
 */
export interface CollectionBackend {
  /** Where it lives, for messages ("Qdrant at http://…", "the embedded store in data/…"). */
  readonly description: string;
  collectionNames(): Promise<string[]>;
  /** Undefined when no collection has that name. */
  collection(name: string): Promise<CollectionInfo | undefined>;
  /**
   * False when a collection of that name exists already (nothing is changed then). Refuses a
   * quantization it does not offer.
   */
  createCollection(name: string, layout: CollectionLayout, metadata: CollectionMetadata): Promise<boolean>;
  updateMetadata(name: string, metadata: CollectionMetadata): Promise<void>;
  deleteCollection(name: string): Promise<void>;
  aliasTarget(alias: string): Promise<string | undefined>;
  /** Points `alias` at `collection` in one step: a reader sees the old target or the new one. */
  setAlias(alias: string, collection: string): Promise<void>;
  /**
   * Makes a collection fast to search before it serves: Qdrant indexes on its own; the embedded
   * store compacts its files and builds its vector index once it is large enough.
   */
  optimize(name: string): Promise<void>;
  /** The collection or alias `name`, for reads and writes; an alias is followed on every call. */
  store(name: string): VectorStore;
  close(): Promise<void>;
}
