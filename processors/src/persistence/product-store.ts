import type { ProductData, ProductEvent, ProductEventType } from '@vsp/schemas';
import type pg from 'pg';
import {
  catalogueOf,
  groupByProduct,
  type MergeOutcome,
  mergeEvents,
  type ProductState,
} from '../product/product-state.js';
import { classifyDatabaseError } from './database-errors.js';

/** An event with where it sits on the log: the row remembers the position of its newest event. */
export interface PositionedEvent {
  event: ProductEvent;
  partition: number;
  offset: string;
}

/** A `products` row as this store reads and writes it; times as epoch milliseconds. */
export interface ProductRow extends ProductData {
  deleted: boolean;
  deleted_at_ms: number | null;
  field_versions: Record<string, string>;
  last_event_id: string | null;
  last_event_type: string | null;
  last_event_at_ms: number | null;
  last_event_partition: number | null;
  last_event_offset: string | null;
}

// Times cross as epoch milliseconds, converted exactly by PostgreSQL: no time zone or
// before-year-1 formatting on the way.
const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint AS ${column}_ms`;
const fromEpochMs = (value: string) => `'epoch'::timestamptz + ${value} * interval '1 millisecond'`;

const SELECT_FOR_UPDATE = `
  SELECT product_id, title, description, category, price::text AS price, currency, image_key, deleted,
    ${epochMs('deleted_at')}, field_versions, last_event_id, last_event_type, ${epochMs('last_event_at')},
    last_event_partition, last_event_offset::text AS last_event_offset
  FROM products WHERE product_id = ANY($1::text[]) ORDER BY product_id FOR UPDATE`;

// The changed rows travel as one JSON array: PostgreSQL parses it faster than the driver can
// escape fifteen parameter arrays.
const UPDATE_FROM_JSON = `
  UPDATE products AS p SET title = v.title, description = v.description, category = v.category,
    price = v.price, currency = v.currency, image_key = v.image_key, deleted = v.deleted,
    deleted_at = ${fromEpochMs('v.deleted_at_ms')}, field_versions = v.field_versions,
    last_event_id = v.last_event_id, last_event_type = v.last_event_type,
    last_event_at = ${fromEpochMs('v.last_event_at_ms')}, last_event_partition = v.last_event_partition,
    last_event_offset = v.last_event_offset, updated_at = now()
  FROM json_to_recordset($1::json) AS v(product_id text, title text, description text, category text,
    price numeric, currency text, image_key text, deleted boolean, deleted_at_ms bigint, field_versions jsonb,
    last_event_id text, last_event_type text, last_event_at_ms bigint, last_event_partition integer,
    last_event_offset bigint)
  WHERE p.product_id = v.product_id`;

export interface ApplyResult {
  /** Per event, in the order given. */
  outcomes: MergeOutcome[];
  /** The rows as written, for logging. */
  changed: ProductRow[];
}

/**
 * The PostgreSQL sink. One transaction per batch, whatever its size: make sure a row exists for
 * every product, lock those rows, fold the events into them (product/product-state.ts), write the
 * changed rows back with one multi-row UPDATE. Errors come out classified (database-errors.ts).
 */
export class ProductStore {
  constructor(private readonly pool: pg.Pool) {}

  async apply(events: readonly PositionedEvent[]): Promise<ApplyResult> {
    const byProduct = groupByProduct(events, (e) => e.event.data.product_id);
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
        const state = stateOf(row);
        const outcomes = mergeEvents(
          state,
          productEvents.map((e) => e.event),
        );
        for (const [i, e] of productEvents.entries()) outcomeOf.set(e, outcomes[i] ?? 'stale');
        if (outcomes.includes('applied')) changed.push(rowOf(state, row, productEvents));
      }
      if (changed.length > 0) await client.query(UPDATE_FROM_JSON, [JSON.stringify(changed)]);
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

function stateOf(row: ProductRow): ProductState {
  return {
    ...catalogueOf(row),
    deleted: row.deleted,
    deleted_at: row.deleted_at_ms === null ? null : Number(row.deleted_at_ms),
    versions: row.field_versions,
    last_event:
      row.last_event_id === null
        ? null
        : { id: row.last_event_id, type: row.last_event_type as ProductEventType, at: Number(row.last_event_at_ms) },
  };
}

/** The state as a row; the log position follows the newest event, which may be an earlier batch's. */
function rowOf(state: ProductState, before: ProductRow, events: readonly PositionedEvent[]): ProductRow {
  const newest = events.find(
    (e) => e.event.event_id === state.last_event?.id && e.event.occurred_at === state.last_event.at,
  );
  return {
    ...catalogueOf(state),
    deleted: state.deleted,
    deleted_at_ms: state.deleted_at,
    field_versions: state.versions,
    last_event_id: state.last_event?.id ?? null,
    last_event_type: state.last_event?.type ?? null,
    last_event_at_ms: state.last_event?.at ?? null,
    last_event_partition: newest ? newest.partition : before.last_event_partition,
    last_event_offset: newest ? newest.offset : before.last_event_offset,
  };
}
