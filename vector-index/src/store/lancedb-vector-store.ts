import type * as lancedb from '@lancedb/lancedb';
import { PipelineError, SinkRejectedError, SinkUnavailableError } from '@vsp/platform';
import { compactTable, WRITES_PER_MAINTENANCE } from './lancedb-maintenance.js';
import type { ProductPayload } from './product-payload.js';
import {
  type CategoryCount,
  type ProductPoint,
  pointId,
  type SearchFilter,
  type SearchHit,
  type VectorStore,
} from './vector-store.js';

interface Row {
  id: string;
  vector: { toArray(): Float32Array } | number[];
  product_id: string;
  category: string | null;
  currency: string | null;
  price_value: number | null;
  searchable: boolean;
  payload: string;
}

type Resolver = (name: string) => Promise<{ table: lancedb.Table; dimension: number }>;

/** See search(); scoring 10·k vectors exactly costs well under a millisecond. */
const REFINE_FACTOR = 10;

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** One collection (or the alias over one, followed on every call) of the embedded store. */
export class LanceDbVectorStore implements VectorStore {
  #writes = 0;

  constructor(
    readonly name: string,
    private readonly resolve: Resolver,
  ) {}

  async get(productIds: readonly string[]): Promise<Map<string, ProductPoint>> {
    if (productIds.length === 0) return new Map();
    const rows = await this.#run(
      async ({ table }) =>
        (await table
          .query()
          .where(`id IN (${productIds.map((id) => quote(pointId(id))).join(', ')})`)
          .toArray()) as Row[],
    );
    return new Map(rows.map((row) => [row.product_id, pointOf(row)]));
  }

  async upsert(points: readonly ProductPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.#run(async ({ table, dimension }) => {
      const wrong = points.find((point) => point.vector.length !== dimension);
      if (wrong) {
        throw new SinkRejectedError(
          `${wrong.productId}'s vector has ${wrong.vector.length} dimensions; ${this.name} holds ${dimension}`,
        );
      }
      await table
        .mergeInsert('id')
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute(points.map((point) => ({ ...rowOf(point) })));
      if (++this.#writes % WRITES_PER_MAINTENANCE === 0) await compactTable(table).catch(ignoreCommitConflict);
    });
  }

  async search(vector: Float32Array, k: number, filter: SearchFilter = {}): Promise<SearchHit[]> {
    const rows = await this.#run(
      async ({ table }) =>
        (await table
          .vectorSearch(Array.from(vector))
          .distanceType('cosine')
          // The ANN index compares product-quantised vectors, too coarse to order near-copies of
          // one photo: the best REFINE_FACTOR·k candidates are scored again with the real vectors.
          .refineFactor(REFINE_FACTOR)
          .where(whereOf(filter))
          .limit(k)
          .toArray()) as (Row & { _distance: number })[],
    );
    return rows.map((row) => ({ productId: row.product_id, score: 1 - row._distance, payload: payloadOf(row) }));
  }

  count(): Promise<number> {
    return this.#run(({ table }) => table.countRows());
  }

  async categories(limit: number): Promise<CategoryCount[]> {
    const rows = await this.#run(
      async ({ table }) =>
        (await table.query().where('searchable = true AND category IS NOT NULL').select(['category']).toArray()) as {
          category: string;
        }[],
    );
    const counts = new Map<string, number>();
    for (const { category } of rows) counts.set(category, (counts.get(category) ?? 0) + 1);
    return [...counts]
      .map(([category, products]) => ({ category, products }))
      .sort((a, b) => b.products - a.products || a.category.localeCompare(b.category))
      .slice(0, limit);
  }

  /** Runs one request; a failure that is not already ours is the store being unavailable. */
  async #run<R>(work: (target: { table: lancedb.Table; dimension: number }) => Promise<R>): Promise<R> {
    try {
      return await work(await this.resolve(this.name));
    } catch (error) {
      if (error instanceof PipelineError) throw error;
      throw new SinkUnavailableError(`LanceDB failed on ${this.name}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * A compaction that lost the race against a write (another partition's, another process's) has
 * nothing to undo, and the write it follows succeeded: the next round compacts.
 */
function ignoreCommitConflict(error: unknown): void {
  if (!/commit conflict/i.test((error as Error).message)) throw error;
}

/** Only searchable points, narrowed by the filter's fields. */
function whereOf({ category, currency, minPrice, maxPrice, excludeProductId }: SearchFilter): string {
  const clauses = ['searchable = true'];
  if (category !== undefined) clauses.push(`category = ${quote(category)}`);
  if (currency !== undefined) clauses.push(`currency = ${quote(currency)}`);
  if (minPrice !== undefined) clauses.push(`price_value >= ${Number(minPrice)}`);
  if (maxPrice !== undefined) clauses.push(`price_value <= ${Number(maxPrice)}`);
  if (excludeProductId !== undefined) clauses.push(`product_id != ${quote(excludeProductId)}`);
  return clauses.join(' AND ');
}

function rowOf({ productId, vector, payload }: ProductPoint): Row {
  return {
    id: pointId(productId),
    vector: Array.from(vector),
    product_id: productId,
    category: payload.category,
    currency: payload.currency,
    price_value: payload.price_value,
    searchable: payload.searchable,
    payload: JSON.stringify(payload),
  };
}

const payloadOf = (row: Row) => JSON.parse(row.payload) as ProductPayload;

function pointOf(row: Row): ProductPoint {
  const vector = Array.isArray(row.vector) ? Float32Array.from(row.vector) : Float32Array.from(row.vector.toArray());
  return { productId: row.product_id, vector, payload: payloadOf(row) };
}
