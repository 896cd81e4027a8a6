import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import * as lancedb from '@lancedb/lancedb';
import { SinkUnavailableError } from '@vsp/platform';
import { Bool, Field, FixedSizeList, Float32, Float64, Schema, Utf8 } from 'apache-arrow';
import { IndexVersionRefusedError } from '../errors.js';
import type { CollectionBackend, CollectionInfo, CollectionLayout, CollectionMetadata } from './collection-backend.js';
import { optimizeTable } from './lancedb-maintenance.js';
import { LanceDbVectorStore } from './lancedb-vector-store.js';

interface Catalogue {
  collections: Record<string, CollectionInfo>;
  aliases: Record<string, string>;
}

/**
 * LanceDB's caches default to 6 GB of index data and 1 GB of file metadata per process; every
 * process that opens the store (embedding, search, a rebuild, `npm run index`) would be allowed
 * that much. An ANN index of a million 1,280-dimension points (PQ codes and centroids) fits in
 * the first bound below; the metadata needed is that of the newest versions.
 */
const INDEX_CACHE_BYTES = 512n * 1024n * 1024n;
const METADATA_CACHE_BYTES = 64n * 1024n * 1024n;

/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 30_000;

/**
 * The embedded store: one LanceDB table per collection in `dir`, and `catalogue.json` beside them
 * with each collection's dimension and metadata and the aliases. LanceDB has neither metadata nor
 * aliases; the catalogue is replaced whole (written aside, then renamed over), so a reader in any
 * process sees the old catalogue or the new one, and changes are made under a lock folder
 * (mkdir is atomic) so two processes never lose each other's.
 */
export class LanceDbBackend implements CollectionBackend {
  readonly description: string;
  #connection: Promise<lancedb.Connection> | undefined;
  readonly #tables = new Map<string, Promise<lancedb.Table>>();

  constructor(private readonly dir: string) {
    this.description = `the embedded store in ${dir}`;
  }

  async collectionNames(): Promise<string[]> {
    return Object.keys(this.#read().collections);
  }

  async collection(name: string): Promise<CollectionInfo | undefined> {
    return this.#read().collections[name];
  }

  async createCollection(
    name: string,
    { dimension, quantization }: CollectionLayout,
    metadata: CollectionMetadata,
  ): Promise<boolean> {
    if (quantization !== 'none') {
      throw new IndexVersionRefusedError(
        `the embedded store has no ${quantization} quantization (its IVF-PQ index compresses vectors already): use Qdrant for it`,
      );
    }
    return this.#change(async (catalogue) => {
      if (catalogue.collections[name]) return false;
      const connection = await this.#connect();
      // A table without a catalogue entry is what a crash between the two steps leaves: replace it.
      if ((await connection.tableNames()).includes(name)) await connection.dropTable(name);
      await connection.createEmptyTable(name, tableSchema(dimension));
      this.#tables.delete(name);
      catalogue.collections[name] = { dimension, metadata };
      return true;
    });
  }

  async updateMetadata(name: string, metadata: CollectionMetadata): Promise<void> {
    await this.#change(async (catalogue) => {
      const collection = catalogue.collections[name];
      if (collection) collection.metadata = { ...collection.metadata, ...metadata };
    });
  }

  async deleteCollection(name: string): Promise<void> {
    await this.#change(async (catalogue) => {
      delete catalogue.collections[name];
      for (const [alias, target] of Object.entries(catalogue.aliases))
        if (target === name) delete catalogue.aliases[alias];
      this.#tables.delete(name);
      await (await this.#connect()).dropTable(name).catch(() => {});
    });
  }

  async aliasTarget(alias: string): Promise<string | undefined> {
    return this.#read().aliases[alias];
  }

  async setAlias(alias: string, collection: string): Promise<void> {
    await this.#change(async (catalogue) => {
      catalogue.aliases[alias] = collection;
    });
  }

  async optimize(name: string): Promise<void> {
    const { table } = await this.#resolve(name);
    await optimizeTable(table);
  }

  store(name: string): LanceDbVectorStore {
    return new LanceDbVectorStore(name, (nameOrAlias) => this.#resolve(nameOrAlias));
  }

  async close(): Promise<void> {
    const tables = [...this.#tables.values()];
    this.#tables.clear();
    for (const table of tables) (await table.catch(() => undefined))?.close();
    const connection = this.#connection;
    this.#connection = undefined;
    (await connection?.catch(() => undefined))?.close();
  }

  /** The table behind a collection or alias name now, with the collection's dimension. */
  async #resolve(name: string): Promise<{ table: lancedb.Table; dimension: number }> {
    const catalogue = this.#read();
    const collection = catalogue.aliases[name] ?? name;
    const info = catalogue.collections[collection];
    if (!info) throw new SinkUnavailableError(`${name} is not a collection of ${this.description}`);
    let table = this.#tables.get(collection);
    if (!table) {
      table = this.#connect().then((connection) => connection.openTable(collection));
      table.catch(() => this.#tables.delete(collection));
      this.#tables.set(collection, table);
    }
    return { table: await table, dimension: info.dimension };
  }

  #connect(): Promise<lancedb.Connection> {
    mkdirSync(this.dir, { recursive: true });
    // Every read sees the newest commit, also one another process made (a rebuild, `npm run index`).
    this.#connection ??= lancedb.connect(
      this.dir,
      { readConsistencyInterval: 0 },
      new lancedb.Session(INDEX_CACHE_BYTES, METADATA_CACHE_BYTES),
    );
    return this.#connection;
  }

  get #cataloguePath(): string {
    return join(this.dir, 'catalogue.json');
  }

  #read(): Catalogue {
    try {
      return JSON.parse(readFileSync(this.#cataloguePath, 'utf8')) as Catalogue;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { collections: {}, aliases: {} };
      throw new SinkUnavailableError(`cannot read ${this.#cataloguePath}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Reads, changes and replaces the catalogue while holding the lock. */
  async #change<R>(work: (catalogue: Catalogue) => Promise<R>): Promise<R> {
    mkdirSync(this.dir, { recursive: true });
    const lock = join(this.dir, 'catalogue.lock');
    await acquire(lock);
    try {
      const catalogue = this.#read();
      const result = await work(catalogue);
      const aside = `${this.#cataloguePath}.${process.pid}.tmp`;
      writeFileSync(aside, JSON.stringify(catalogue, null, 2));
      renameSync(aside, this.#cataloguePath);
      return result;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new SinkUnavailableError(`${lock} has been held for ${LOCK_WAIT_MS} ms`);
      else await delay(10);
    }
  }
}

/** The filter fields as columns, the whole payload as JSON beside them. */
function tableSchema(dimension: number): Schema {
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('vector', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
    new Field('product_id', new Utf8(), false),
    new Field('category', new Utf8(), true),
    new Field('currency', new Utf8(), true),
    new Field('price_value', new Float64(), true),
    new Field('searchable', new Bool(), false),
    new Field('payload', new Utf8(), false),
  ]);
}
