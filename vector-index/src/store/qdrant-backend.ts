import { setTimeout as delay } from 'node:timers/promises';
import type { QdrantClient } from '@qdrant/js-client-rest';
import type { CollectionBackend, CollectionInfo, CollectionLayout, CollectionMetadata } from './collection-backend.js';
import { type QdrantConnection, qdrantStatus } from './qdrant-connection.js';
import { QdrantVectorStore } from './qdrant-vector-store.js';

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
 * How a version's points are spread over a cluster of `peers` nodes: a shard per node, each held
 * by two nodes, so any one node can be lost (a single node: one shard, one copy). A write is
 * acknowledged once one replica has it: Qdrant sends it to every live replica at once and marks a
 * replica that missed it dead, to be copied afresh when its node returns; asking two replicas
 * would stop every write to the shards of a lost node until then, and the log, not Qdrant, is
 * what a lost write is recovered from (the processor commits only what Qdrant acknowledged).
 */
function clusterLayout(peers: number) {
  return { shard_number: peers, replication_factor: Math.min(2, peers), write_consistency_factor: 1 };
}

/** A rebuild waits for the graph before it switches: a coarser poll adds up to its period to every rebuild. */
const OPTIMIZE_POLL_MS = 100;

/** Qdrant's default: segments holding more vectors than this (in kB of vectors) get an HNSW graph. */
const INDEXING_THRESHOLD_KB = 10_000;

/** Int8 copies of the vectors kept in RAM for the search itself; the float vectors re-score its best candidates. */
const INT8_QUANTIZATION = { scalar: { type: 'int8', quantile: 0.99, always_ram: true } } as const;

/**
 * Segments an int8 version is split into. Each segment's graph is searched on its own and the
 * best of all re-scored, so more of them search wider: at 100,000 points of 1280 dimensions an
 * int8 version in 2 segments (Qdrant's choice on 2 cores) found 0.936–0.962 of the exact top 10
 * whatever the beam or oversampling, in 3 or 4 segments 0.980–0.998, a bare query taking p50
 * 1.9–3.0 ms against 1.4–1.9 ms (docs/PERFORMANCE.md, Segments).
 */
const INT8_SEGMENTS = 4;

type QdrantCollectionInfo = Awaited<ReturnType<QdrantClient['getCollection']>>;

/**
 * Whether every segment holding more vectors than the indexing threshold has its HNSW graph: no
 * optimization running, and no more vectors unindexed than the segments could hold below the
 * threshold.
 */
function graphsBuilt(info: QdrantCollectionInfo): boolean {
  if (info.status === 'yellow') return false;
  const { size } = info.config.params.vectors as { size: number };
  const belowThreshold = Math.floor((INDEXING_THRESHOLD_KB * 1024) / (size * Float32Array.BYTES_PER_ELEMENT));
  const unindexed = (info.points_count ?? 0) - (info.indexed_vectors_count ?? 0);
  return unindexed <= info.segments_count * belowThreshold;
}

/** Collections, their metadata and aliases, as Qdrant keeps them. */
export class QdrantBackend implements CollectionBackend {
  constructor(readonly qdrant: QdrantConnection) {}

  get description(): string {
    return this.qdrant.description;
  }

  async collectionNames(): Promise<string[]> {
    const { collections } = await this.qdrant.call((client) => client.getCollections());
    return collections.map((c) => c.name);
  }

  async collection(name: string): Promise<CollectionInfo | undefined> {
    const info = await this.qdrant
      .call((client) => client.getCollection(name))
      .catch((error: unknown) => {
        if (qdrantStatus(error) === 404) return undefined;
        throw error;
      });
    if (!info) return undefined;
    const vectors = info.config.params.vectors as { size: number };
    return { dimension: vectors.size, metadata: (info.config.metadata ?? {}) as CollectionMetadata };
  }

  async createCollection(name: string, layout: CollectionLayout, metadata: CollectionMetadata): Promise<boolean> {
    const peers = await this.#peerCount();
    const int8 = layout.quantization === 'int8';
    // Through the raw API: the client's createCollection drops `metadata` (js-client-rest 1.18).
    const created = await this.qdrant
      .call((client) =>
        client.api().createCollection({
          collection_name: name,
          ...clusterLayout(peers),
          optimizers_config: {
            // Filled in bulk and searched by no one meanwhile: its HNSW graph is built once, when it
            // is made ready (optimize), not again and again beside the writes.
            ...(layout.bulkLoad ? { indexing_threshold: 0 } : {}),
            ...(int8 ? { default_segment_number: INT8_SEGMENTS } : {}),
          },
          // Int8: the floats, read only to re-score, stay on disk; the int8 copies in memory.
          vectors: { size: layout.dimension, distance: 'Cosine', ...(int8 ? { on_disk: true } : {}) },
          ...(int8 ? { quantization_config: INT8_QUANTIZATION } : {}),
          metadata,
        }),
      )
      .then(
        () => true,
        (error: unknown) => {
          if (qdrantStatus(error) === 409) return false;
          throw error;
        },
      );
    // Idempotent, and done by whoever found the collection created too: instances that raced to
    // create it all leave it with its indexes.
    for (const [field_name, field_schema] of PAYLOAD_INDEXES) {
      await this.qdrant.call((client) => client.createPayloadIndex(name, { field_name, field_schema, wait: true }));
    }
    return created;
  }

  async updateMetadata(name: string, metadata: CollectionMetadata): Promise<void> {
    await this.qdrant.call((client) => client.updateCollection(name, { metadata }));
  }

  async deleteCollection(name: string): Promise<void> {
    await this.qdrant.call((client) => client.deleteCollection(name));
  }

  async aliasTarget(alias: string): Promise<string | undefined> {
    const { aliases } = await this.qdrant.call((client) => client.getAliases());
    return aliases.find((a) => a.alias_name === alias)?.collection_name;
  }

  async setAlias(alias: string, collection: string): Promise<void> {
    const current = await this.aliasTarget(alias);
    // Delete and create in one call: every search sees the old collection or the new one.
    await this.qdrant.call((client) =>
      client.updateCollectionAliases({
        actions: [
          ...(current === undefined ? [] : [{ delete_alias: { alias_name: alias } }]),
          { create_alias: { collection_name: collection, alias_name: alias } },
        ],
      }),
    );
  }

  /**
   * Turns indexing on (off while a version is built) and waits for Qdrant to finish indexing what
   * it holds, so a version that starts serving is searched through its HNSW graph, not segment by
   * segment exhaustively. Right after indexing is turned on Qdrant may still answer green, before
   * its optimizers have looked at the segments (seen on a version of two shards on one node: green
   * with 25,000 points and none indexed), so the count of indexed vectors decides, not the status
   * alone.
   */
  async optimize(name: string): Promise<void> {
    await this.qdrant.call((client) =>
      client.updateCollection(name, { optimizers_config: { indexing_threshold: INDEXING_THRESHOLD_KB } }),
    );
    while (!graphsBuilt(await this.qdrant.call((client) => client.getCollection(name)))) {
      await delay(OPTIMIZE_POLL_MS);
    }
  }

  store(name: string): QdrantVectorStore {
    return new QdrantVectorStore(this.qdrant, name);
  }

  async close(): Promise<void> {}

  /** The nodes of the cluster; 1 when Qdrant runs alone. */
  async #peerCount(): Promise<number> {
    const { data } = await this.qdrant.call((client) => client.api().clusterStatus({}));
    const status = data.result as { status: string; peers?: Record<string, unknown> } | undefined;
    return status?.status === 'enabled' ? Math.max(1, Object.keys(status.peers ?? {}).length) : 1;
  }
}
