import type pg from 'pg';
import { classifyDatabaseError } from './database-errors.js';
import {
  groupByProduct,
  type MergeOutcome,
  mergeEvents,
  type PositionedEvent,
  type ProductRow,
} from './product-merge.js';

const COLUMNS = [
  ['product_id', 'text'],
  ['title', 'text'],
  ['description', 'text'],
  ['category', 'text'],
  ['price', 'numeric'],
  ['currency', 'text'],
  ['image_key', 'text'],
  ['deleted', 'boolean'],
  ['deleted_at', 'timestamptz'],
  ['field_versions', 'jsonb'],
  ['last_event_id', 'text'],
  ['last_event_type', 'text'],
  ['last_event_at', 'timestamptz'],
  ['last_event_partition', 'integer'],
  ['last_event_offset', 'bigint'],
] as const satisfies readonly (readonly [keyof ProductRow, string])[];

const names = COLUMNS.map(([name]) => name);
const SELECT_FOR_UPDATE = `SELECT ${names.join(', ')} FROM products WHERE product_id = ANY($1::text[]) ORDER BY product_id FOR UPDATE`;
// The changed rows travel as one JSON array: PostgreSQL parses it faster than the driver can
// escape fifteen parameter arrays.
const UPDATE_FROM_JSON = `
  UPDATE products AS p SET ${names
    .slice(1)
    .map((n) => `${n} = v.${n}`)
    .join(', ')}, updated_at = now()
  FROM json_to_recordset($1::json) AS v(${COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')})
  WHERE p.product_id = v.product_id`;

export interface ApplyResult {
  /** Per event, in the order given. */
  outcomes: MergeOutcome[];
  /** The rows as written, for logging. */
  changed: ProductRow[];
}

/**
 * The PostgreSQL sink. One transaction per batch, whatever its size: make sure a row exists for
 * every product, lock those rows, fold the events into them (product-merge.ts), write the
 * changed rows back with one multi-row UPDATE. Errors come out classified (database-errors.ts).
 */
export class ProductStore {
  constructor(private readonly pool: pg.Pool) {}

  async apply(events: readonly PositionedEvent[]): Promise<ApplyResult> {
    const byProduct = groupByProduct(events);
    const ids = [...byProduct.keys()].sort();
    let client: pg.PoolClient | undefined;
    let failure: unknown;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      // Rows for new products first, so that every row can be locked before it is read.
      await client.query('INSERT INTO products (product_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [ids]);
      const { rows } = await client.query<ProductRow>(SELECT_FOR_UPDATE, [ids]);
      const outcomeOf = new Map<PositionedEvent, MergeOutcome>();
      const changed: ProductRow[] = [];
      for (const row of rows) {
        const productEvents = byProduct.get(row.product_id) ?? [];
        const outcomes = mergeEvents(row, productEvents);
        for (const [i, e] of productEvents.entries()) outcomeOf.set(e, outcomes[i] ?? 'stale');
        if (outcomes.includes('applied')) changed.push(row);
      }
      if (changed.length > 0) {
        await client.query(UPDATE_FROM_JSON, [JSON.stringify(changed)]);
      }
      await client.query('COMMIT');
      return { outcomes: events.map((e) => outcomeOf.get(e) ?? 'stale'), changed };
    } catch (error) {
      failure = error;
      await client?.query('ROLLBACK').catch(() => {});
      throw classifyDatabaseError(error);
    } finally {
      // A client whose query failed may hold a dead connection: destroy it rather than pool it.
      client?.release(failure !== undefined);
    }
  }
}
