import type { ProductEvent } from '@vsp/schemas';

/** An event with where it sits on the log. */
export interface PositionedEvent {
  event: ProductEvent;
  partition: number;
  offset: string;
}

export interface ProductRow {
  product_id: string;
  title: string | null;
  description: string | null;
  category: string | null;
  price: string | null;
  currency: string | null;
  image_key: string | null;
  deleted: boolean;
  deleted_at: Date | null;
  /** For each field (and `deleted`), the version of the event that last set it. */
  field_versions: Record<string, string>;
  last_event_id: string | null;
  last_event_type: string | null;
  last_event_at: Date | null;
  last_event_partition: number | null;
  last_event_offset: string | null;
}

export type MergeOutcome = 'applied' | 'stale';

const CATALOGUE_FIELDS = ['title', 'description', 'category', 'price', 'currency', 'image_key'] as const;
type CatalogueField = (typeof CATALOGUE_FIELDS)[number];

/** Which fields each event type speaks for. `deleted` is a register of its own. */
const FIELDS_BY_TYPE: Record<string, readonly CatalogueField[]> = {
  'product.created': CATALOGUE_FIELDS,
  'product.updated': CATALOGUE_FIELDS,
  'product.image.updated': ['image_key'],
  'product.deleted': [],
};

/** Event time, then event id: a total order, so every replica agrees which event is newer. */
export function versionAt(occurredAt: number, eventId: string): string {
  return `${String(occurredAt).padStart(15, '0')}|${eventId}`;
}

export function versionOf(event: ProductEvent): string {
  return versionAt(event.occurred_at, event.event_id);
}

/** The version of the newest event applied to the row; '' when none was. */
export function lastVersionOf(row: ProductRow): string {
  return row.last_event_at && row.last_event_id ? versionAt(row.last_event_at.getTime(), row.last_event_id) : '';
}

/** A batch's events per product, in log order: each sink folds one product at a time. */
export function groupByProduct(events: readonly PositionedEvent[]): Map<string, PositionedEvent[]> {
  const byProduct = new Map<string, PositionedEvent[]>();
  for (const e of events) {
    const list = byProduct.get(e.event.data.product_id);
    if (list) list.push(e);
    else byProduct.set(e.event.data.product_id, [e]);
  }
  return byProduct;
}

/**
 * Folds events into a product row. Every field, and the deleted flag, is a last-writer-wins
 * register keyed by event version: a field takes the value of the newest event that carried it
 * (absent or null means "not carried"). Registers commute, so any order, duplicates or a replay
 * give the same row, and an event older than everything it carries changes nothing.
 * Only product.created clears `deleted`: a late product.updated cannot bring a product back.
 */
export function mergeEvents(row: ProductRow, events: readonly PositionedEvent[]): MergeOutcome[] {
  return events.map(({ event, partition, offset }) => {
    const version = versionOf(event);
    let changed = false;
    const set = (register: string, apply: () => void) => {
      const current = row.field_versions[register];
      if (current !== undefined && current >= version) return;
      row.field_versions[register] = version;
      apply();
      changed = true;
    };
    for (const field of FIELDS_BY_TYPE[event.event_type] ?? []) {
      const value = event.data[field];
      if (value !== null) {
        set(field, () => {
          row[field] = value;
        });
      }
    }
    if (event.event_type === 'product.created' || event.event_type === 'product.deleted') {
      const deleted = event.event_type === 'product.deleted';
      set('deleted', () => {
        row.deleted = deleted;
        row.deleted_at = deleted ? new Date(event.occurred_at) : null;
      });
    }
    if (version > lastVersionOf(row)) {
      row.last_event_id = event.event_id;
      row.last_event_type = event.event_type;
      row.last_event_at = new Date(event.occurred_at);
      row.last_event_partition = partition;
      row.last_event_offset = offset;
      changed = true;
    }
    return changed ? 'applied' : 'stale';
  });
}
