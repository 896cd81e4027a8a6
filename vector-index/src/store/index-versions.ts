import { localQdrantUrl } from '@vsp/platform';
import { IndexVersionRefusedError, IndexVersionUnknownError } from '../errors.js';
import type { CollectionBackend, Quantization } from './collection-backend.js';
import { LanceDbBackend } from './lancedb-backend.js';
import { QdrantBackend } from './qdrant-backend.js';
import { QdrantConnection } from './qdrant-connection.js';
import type { VectorStore } from './vector-store.js';

/** What a collection was built with and for, kept in the collection's own metadata. */
export interface IndexVersion {
  /** `<alias>_v<N>`. */
  name: string;
  modelId: string;
  /** The model folder its vectors came from; null: the generated default model. */
  modelDir: string | null;
  dimension: number;
  /** int8: searches run on int8 copies of the vectors and re-score the best with the floats (Qdrant only). */
  quantization: Quantization;
  /** ISO time of creation. */
  createdAt: string;
  /**
   * The consumer group that keeps this collection in step with the log: `<prefix>.<name>.<createdAt>`,
   * new with every collection, so a version created again under a dropped one's name never
   * inherits that group's commits and skips part of the log.
   */
  group: string;
  /** `building` until a rebuild has caught up with the log; only a ready collection may serve searches. */
  state: 'building' | 'ready';
}

export interface QdrantSettings {
  QDRANT_URL: string;
  QDRANT_API_KEY?: string | undefined;
  VECTOR_ALIAS: string;
}

export const INDEX_STORE_KINDS = ['embedded', 'qdrant'] as const;
export type IndexStoreKind = (typeof INDEX_STORE_KINDS)[number];

/** The Qdrant the settings name: QDRANT_URL, else this checkout's when it runs one; undefined: none. */
function qdrantUrlOf(settings: IndexStoreSettings): string | undefined {
  return settings.QDRANT_URL ?? (settings.QDRANT_BIN ? localQdrantUrl(settings) : undefined);
}

/** Where the index lives (see vectorIndexSettings). */
export interface IndexStoreSettings extends Omit<QdrantSettings, 'QDRANT_URL'> {
  QDRANT_URL?: string | undefined;
  QDRANT_BIN?: string | undefined;
  VECTOR_STORE?: IndexStoreKind | undefined;
  INFRA_QDRANT_PORT: number;
  INFRA_QDRANT_NODES: number;
  VECTOR_DATA_DIR: string;
}

export type IndexVersionSpec = Pick<IndexVersion, 'modelId' | 'modelDir' | 'dimension'> & {
  /** The version's consumer group is named from it (see IndexVersion.group). */
  groupPrefix: string;
  /** Default: none. */
  quantization?: Quantization | undefined;
};

export interface IndexVersionListing extends IndexVersion {
  points: number;
  /** The alias points at it: searches and live events go here. */
  serving: boolean;
}

/**
 * The versioned collections behind one alias (`products` → `products_v1`, `products_v2`, …): which
 * exist, what each was built with, and which one the alias serves. A rebuild fills a new version
 * while the old one serves, then moves the alias in one atomic call; rolling back moves it back.
 * Vectors of different models never share a collection: a version records its model and
 * dimension, and every writer checks them.
 */
export class IndexVersions {
  constructor(
    readonly backend: CollectionBackend,
    readonly alias: string,
  ) {}

  /**
   * The versions behind VECTOR_ALIAS where the settings say: the store VECTOR_STORE names; unset,
   * the Qdrant at QDRANT_URL, else this checkout's Qdrant when it runs one (QDRANT_BIN), else the
   * embedded store in VECTOR_DATA_DIR.
   */
  static open(settings: IndexStoreSettings): IndexVersions {
    return IndexVersions.openIn(settings.VECTOR_STORE ?? (qdrantUrlOf(settings) ? 'qdrant' : 'embedded'), settings);
  }

  /** The versions in the store named, whatever the settings would choose: where a move builds. */
  static openIn(store: IndexStoreKind, settings: IndexStoreSettings): IndexVersions {
    if (store === 'embedded') {
      return new IndexVersions(new LanceDbBackend(settings.VECTOR_DATA_DIR), settings.VECTOR_ALIAS);
    }
    const url = qdrantUrlOf(settings);
    if (!url) {
      throw new IndexVersionRefusedError(
        "no Qdrant is configured: set QDRANT_URL, or QDRANT_BIN for this checkout's own",
      );
    }
    return IndexVersions.connect({ ...settings, QDRANT_URL: url });
  }

  /** The versions behind VECTOR_ALIAS on the Qdrant at QDRANT_URL (one node, or a cluster's, comma-separated). */
  static connect({ QDRANT_URL, QDRANT_API_KEY, VECTOR_ALIAS }: QdrantSettings): IndexVersions {
    return new IndexVersions(new QdrantBackend(new QdrantConnection(QDRANT_URL, QDRANT_API_KEY)), VECTOR_ALIAS);
  }

  /** The version the alias serves, or undefined before the first one exists. */
  async serving(): Promise<IndexVersion | undefined> {
    const name = await this.#servingName();
    return name === undefined ? undefined : this.get(name);
  }

  /**
   * The version the alias serves; on first use (no alias yet) a new, ready version for `spec`,
   * which the live processor then fills from the start of the log.
   */
  async ensureServing(spec: IndexVersionSpec): Promise<IndexVersion> {
    const serving = await this.serving();
    if (serving) return serving;
    // Instances of a group that start together on an empty index race here: all of them build the
    // same first version, and whoever finds it created already finishes it alike (payload indexes
    // and the alias are idempotent), instead of failing or creating a second one.
    const version = await this.create(spec, { state: 'ready', name: `${this.alias}_v1`, existing: 'reuse' });
    await this.switchTo(version.name);
    return version;
  }

  /** The version named `name`, or undefined when no such collection exists. */
  async get(name: string): Promise<IndexVersion | undefined> {
    const info = await this.backend.collection(name);
    if (!info) return undefined;
    const metadata = info.metadata as Partial<Record<keyof IndexVersion, string | null>>;
    return {
      name,
      modelId: metadata.modelId ?? '',
      modelDir: metadata.modelDir ?? null,
      dimension: info.dimension,
      quantization: (metadata.quantization ?? 'none') as Quantization,
      createdAt: metadata.createdAt ?? '',
      group: metadata.group ?? '',
      state: (metadata.state ?? 'ready') as IndexVersion['state'],
    };
  }

  /** Every version, oldest first. */
  async all(): Promise<IndexVersion[]> {
    const names = (await this.#versionNames()).sort((a, b) => versionNumber(a) - versionNumber(b));
    const versions = await Promise.all(names.map((name) => this.get(name)));
    return versions.filter((version) => version !== undefined);
  }

  /** Every version, oldest first, with its point count and whether it serves. */
  async list(): Promise<IndexVersionListing[]> {
    const [serving, versions] = await Promise.all([this.#servingName(), this.all()]);
    return Promise.all(
      versions.map(async (version) => ({
        ...version,
        points: await this.store(version.name).count(),
        serving: version.name === serving,
      })),
    );
  }

  /**
   * A new, empty version under the next free name (or `name`), with the payload indexes. With
   * `existing: 'reuse'`, a version of that name built for the same model is taken as it is.
   */
  async create(
    spec: IndexVersionSpec,
    {
      state = 'building',
      name,
      existing = 'refuse',
    }: { state?: IndexVersion['state']; name?: string; existing?: 'refuse' | 'reuse' } = {},
  ): Promise<IndexVersion> {
    const versionName = name ?? (await this.nextName());
    if (!this.#isVersion(versionName)) {
      throw new IndexVersionRefusedError(`a version of ${this.alias} is named ${this.alias}_v<N>, not ${versionName}`);
    }
    const { groupPrefix, quantization = 'none', ...model } = spec;
    const createdAt = new Date().toISOString();
    const group = `${groupPrefix}.${versionName}.${createdAt}`;
    const created: IndexVersion = { ...model, quantization, name: versionName, state, createdAt, group };
    const { name: _, dimension, ...metadata } = created;
    const layout = { dimension, quantization, bulkLoad: state === 'building' };
    if (await this.backend.createCollection(versionName, layout, metadata)) return created;
    if (existing === 'reuse') return this.#sameModel(versionName, spec);
    throw new IndexVersionRefusedError(`${versionName} exists already`);
  }

  async nextName(): Promise<string> {
    const numbers = (await this.#versionNames()).map(versionNumber);
    return `${this.alias}_v${Math.max(0, ...numbers) + 1}`;
  }

  /** Makes a version fast to search (see CollectionBackend.optimize). */
  async optimize(name: string): Promise<void> {
    await this.backend.optimize((await this.#existing(name)).name);
  }

  /** Marks a complete version ready to serve, optimised first. */
  async markReady(name: string): Promise<void> {
    await this.optimize(name);
    await this.backend.updateMetadata(name, { state: 'ready' });
  }

  /**
   * Points the alias at `name` in one call (delete + create together), so every search sees the
   * old version or the new one, never neither. Refuses a version still being built.
   */
  async switchTo(name: string): Promise<IndexVersion> {
    const version = await this.#existing(name);
    if (version.state !== 'ready') {
      throw new IndexVersionRefusedError(`${name} is still being built: the alias only moves to a complete version`);
    }
    await this.backend.setAlias(this.alias, name);
    return version;
  }

  /** Deletes a version, never the one the alias serves, and says what it was (its group is the caller's to delete). */
  async drop(name: string): Promise<IndexVersion> {
    const version = await this.#existing(name);
    if ((await this.#servingName()) === name) {
      throw new IndexVersionRefusedError(`${name} serves the alias ${this.alias}: switch to another version first`);
    }
    await this.backend.deleteCollection(name);
    return version;
  }

  store(name: string): VectorStore {
    return this.backend.store(name);
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  async #sameModel(name: string, spec: IndexVersionSpec): Promise<IndexVersion> {
    const version = await this.#existing(name);
    if (version.modelId !== spec.modelId || version.dimension !== spec.dimension) {
      throw new IndexVersionRefusedError(
        `${name} exists for ${version.modelId} (${version.dimension} dimensions), not ${spec.modelId} (${spec.dimension})`,
      );
    }
    return version;
  }

  async #existing(name: string): Promise<IndexVersion> {
    const version = this.#isVersion(name) ? await this.get(name) : undefined;
    if (!version) throw new IndexVersionUnknownError(`${name} is not a version of ${this.alias}`);
    return version;
  }

  #servingName(): Promise<string | undefined> {
    return this.backend.aliasTarget(this.alias);
  }

  async #versionNames(): Promise<string[]> {
    return (await this.backend.collectionNames()).filter((name) => this.#isVersion(name));
  }

  #isVersion(name: string): boolean {
    const prefix = `${this.alias}_v`;
    return name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length));
  }
}

const versionNumber = (name: string) => Number(name.slice(name.lastIndexOf('_v') + 2));
