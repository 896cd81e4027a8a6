import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Bool, Field, FixedSizeList, Float32, Float64, Schema, Utf8 } from 'apache-arrow';
import { SinkUnavailableError } from '../../errors.js';
import {
  type IndexStats,
  type ProductPayload,
  type ProductPoint,
  pointId,
  type SearchHit,
  type VectorStore,
  type VectorStoreOptions,
} from './vector-store.js';

interface AliasEntry {
  collection: string;
  dimension: number;
  modelId: string;
}

type Row = Omit<ProductPayload, 'versions'> & { id: string; vector: number[]; versions: string };

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The embedded store: LanceDB tables under VECTOR_DATA_DIR. LanceDB has no aliases, so
 * `aliases.json` beside the tables maps alias to table, replaced atomically (write, then rename).
 */
export class LanceDbVectorStore implements VectorStore {
  #db: lancedb.Connection | undefined;
  #table: lancedb.Table | undefined;
  #entry: AliasEntry | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly options: VectorStoreOptions,
  ) {}

  async open(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    // Every read sees the latest commit, also one made by another process (`npm run index`
    // while the processor writes, a restarted processor after a crash).
    this.#db = await lancedb.connect(this.dataDir, { readConsistencyInterval: 0 });
    const aliases = this.#readAliases();
    let entry = aliases[this.options.alias];
    if (!entry) {
      entry = {
        collection: `${this.options.alias}_v1`,
        dimension: this.options.dimension,
        modelId: this.options.modelId,
      };
      if (!(await this.#db.tableNames()).includes(entry.collection)) {
        await this.#db.createEmptyTable(entry.collection, this.#schema(entry.dimension));
      }
      this.#writeAliases({ ...aliases, [this.options.alias]: entry });
    }
    this.#entry = entry;
    this.#table = await this.#db.openTable(entry.collection);
  }

  async get(productIds: readonly string[]): Promise<Map<string, ProductPoint>> {
    if (productIds.length === 0) return new Map();
    const rows = await this.#run(() =>
      this.#open()
        .query()
        .where(`id IN (${productIds.map((id) => quote(pointId(id))).join(', ')})`)
        .toArray(),
    );
    return new Map(rows.map((row: Row) => [row.product_id, toPoint(row)]));
  }

  async upsert(points: readonly ProductPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.#run(() =>
      this.#open().mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(points.map(toRow)),
    );
  }

  async search(vector: Float32Array, k: number): Promise<SearchHit[]> {
    const rows = await this.#run(() =>
      this.#open().vectorSearch(Array.from(vector)).distanceType('cosine').where('deleted = false').limit(k).toArray(),
    );
    return rows.map((row: Row & { _distance: number }) => ({
      productId: row.product_id,
      score: 1 - row._distance,
      payload: toPoint(row).payload,
    }));
  }

  async stats(): Promise<IndexStats> {
    const entry = this.#entry as AliasEntry;
    return {
      alias: this.options.alias,
      collection: entry.collection,
      points: await this.#run(() => this.#open().countRows()),
      dimension: entry.dimension,
      modelId: entry.modelId,
    };
  }

  async close(): Promise<void> {
    this.#table?.close();
    this.#db?.close();
    this.#table = undefined;
    this.#db = undefined;
  }

  #open(): lancedb.Table {
    if (!this.#table) throw new SinkUnavailableError('the LanceDB store is not open');
    return this.#table;
  }

  async #run<R>(work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (error) {
      throw new SinkUnavailableError(`LanceDB failed: ${(error as Error).message}`, { cause: error });
    }
  }

  #schema(dimension: number): Schema {
    const text = (name: string) => new Field(name, new Utf8(), true);
    return new Schema([
      new Field('id', new Utf8(), false),
      new Field('vector', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
      new Field('product_id', new Utf8(), false),
      text('title'),
      text('category'),
      text('price'),
      text('currency'),
      text('image_key'),
      text('image_sha256'),
      new Field('model_id', new Utf8(), false),
      new Field('event_time', new Float64(), false),
      new Field('deleted', new Bool(), false),
      new Field('versions', new Utf8(), false),
    ]);
  }

  get #aliasFile(): string {
    return join(this.dataDir, 'aliases.json');
  }

  #readAliases(): Record<string, AliasEntry> {
    return existsSync(this.#aliasFile) ? JSON.parse(readFileSync(this.#aliasFile, 'utf8')) : {};
  }

  #writeAliases(aliases: Record<string, AliasEntry>): void {
    const temporary = `${this.#aliasFile}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(aliases, null, 2)}\n`);
    renameSync(temporary, this.#aliasFile);
  }
}

function toRow({ productId, vector, payload }: ProductPoint): Row {
  return { id: pointId(productId), vector: Array.from(vector), ...payload, versions: JSON.stringify(payload.versions) };
}

function toPoint(row: Row): ProductPoint {
  const { id: _id, vector, versions, ...payload } = row;
  return {
    productId: row.product_id,
    vector: Float32Array.from(vector as ArrayLike<number>),
    payload: { ...payload, event_time: Number(payload.event_time), versions: JSON.parse(versions) },
  };
}
