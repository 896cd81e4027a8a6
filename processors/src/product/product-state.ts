import { emptyProductData, type ProductData, type ProductEvent, type ProductEventType } from '@vsp/schemas';
import { versionAt, versionOf } from './event-version.js';

/**
 * What the product events say about one product: the state both sinks fold events into and then
 * map to their own storage (a PostgreSQL row, a vector point's payload).
 */
export interface ProductState extends ProductData {
  deleted: boolean;
  /** Time of the deletion that holds, epoch milliseconds; null while the product exists. */
  deleted_at: number | null;
  /** For each register (every catalogue field, `deleted`, `image`), the version of the event that last set it. */
  versions: Record<string, string>;
  /** The newest event applied. */
  last_event: { id: string; type: ProductEventType; at: number } | null;
}

export type MergeOutcome = 'applied' | 'stale';

const CATALOGUE_FIELDS = ['title', 'description', 'category', 'price', 'currency', 'image_key'] as const;
type CatalogueField = (typeof CATALOGUE_FIELDS)[number];

/** Which fields each event type speaks for. `deleted` and `image` are registers of their own. */
const FIELDS_BY_TYPE: Record<ProductEventType, readonly CatalogueField[]> = {
  'product.created': CATALOGUE_FIELDS,
  'product.updated': CATALOGUE_FIELDS,
  'product.image.updated': ['image_key'],
  'product.deleted': [],
};

/** The product_id and catalogue fields of anything that has them, and nothing else. */
export function catalogueOf({
  product_id,
  title,
  description,
  category,
  price,
  currency,
  image_key,
}: ProductData): ProductData {
  return { product_id, title, description, category, price, currency, image_key };
}

export function emptyProductState(productId: string): ProductState {
  return {
    ...emptyProductData(productId),
    deleted: false,
    deleted_at: null,
    versions: {},
    last_event: null,
  };
}

/** Items (events, or events with their log position) per product, in the order given. */
export function groupByProduct<T>(items: readonly T[], productIdOf: (item: T) => string): Map<string, T[]> {
  const byProduct = new Map<string, T[]>();
  for (const item of items) {
    const id = productIdOf(item);
    const list = byProduct.get(id);
    if (list) list.push(item);
    else byProduct.set(id, [item]);
  }
  return byProduct;
}

/**
 * Folds events into a product's state. Every field, the deleted flag, and `image` (the newest
 * product.image.updated, which says the picture changed even when its key did not) is a
 * last-writer-wins register keyed by event version: a field takes the value of the newest event
 * that carried it (absent or null means "not carried"). Registers commute, so any order,
 * duplicates or a replay give the same state, and an event older than everything it carries
 * changes nothing. Only product.created clears `deleted`: a late product.updated cannot bring a
 * product back.
 */
export function mergeEvents(state: ProductState, events: readonly ProductEvent[]): MergeOutcome[] {
  return events.map((event) => {
    const version = versionOf(event);
    let changed = false;
    const set = (register: string, apply: () => void) => {
      const current = state.versions[register];
      if (current !== undefined && current >= version) return;
      state.versions[register] = version;
      apply();
      changed = true;
    };
    for (const field of FIELDS_BY_TYPE[event.event_type] ?? []) {
      const value = event.data[field];
      if (value !== null) {
        set(field, () => {
          state[field] = value;
        });
      }
    }
    if (event.event_type === 'product.image.updated') set('image', () => {});
    if (event.event_type === 'product.created' || event.event_type === 'product.deleted') {
      const deleted = event.event_type === 'product.deleted';
      set('deleted', () => {
        state.deleted = deleted;
        state.deleted_at = deleted ? event.occurred_at : null;
      });
    }
    const last = state.last_event;
    if (!last || version > versionAt(last.at, last.id)) {
      state.last_event = { id: event.event_id, type: event.event_type, at: event.occurred_at };
      changed = true;
    }
    return changed ? 'applied' : 'stale';
  });
}
