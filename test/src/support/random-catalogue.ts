import { productEvent } from '@vsp/processors/testing';
import type { ProductEvent } from '@vsp/schemas';

/*
 * A random catalogue that exercises every merge rule: each event type, re-creation after deletion,
 * products with and without images, image changes, tied event times on both sides of 1970,
 * delivered shuffled and partly twice. And an independent model of what it must end as.
 */
export const PRODUCTS = 60;
export const KEYS_PER_PRODUCT = 3;
// Event times from 1900 to 2026: both sides of 1970 (before it, versions once sorted backwards).
const EARLIEST = Date.UTC(1900, 0, 1);
export const LATEST = Date.UTC(2026, 0, 1);
const TYPES: ProductEvent['event_type'][] = [
  'product.created',
  'product.created',
  'product.updated',
  'product.updated',
  'product.updated',
  'product.image.updated',
  'product.image.updated',
  'product.deleted',
];

export const keyOf = (product: number, k: number) => `p${product}/k${k}.jpg`;

/** Random histories: every event type, re-creation after deletion, with and without images, tied times. */
export function histories(next: () => number): ProductEvent[][] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  return Array.from({ length: PRODUCTS }, (_, p) => {
    const history: ProductEvent[] = [];
    for (let i = 0, count = 2 + Math.floor(next() * 6); i < count; i++) {
      const type = pick(TYPES);
      const time =
        history.length > 0 && next() < 0.1
          ? (history[history.length - 1] as ProductEvent).occurred_at
          : EARLIEST + Math.floor(next() * (LATEST - EARLIEST));
      const maybe = <T>(value: T) => (next() < 0.6 ? value : null);
      const image = type === 'product.image.updated' ? keyOf(p, Math.floor(next() * KEYS_PER_PRODUCT)) : null;
      const data =
        type === 'product.created' || type === 'product.updated'
          ? {
              title: maybe(`Товар ${p}.${i}`),
              description: maybe(`Описание ${i}`),
              category: maybe(pick(['Электроника', 'Одежда', 'Дом'])),
              price: maybe(`${Math.floor(next() * 100_000)}.${Math.floor(next() * 100)}`),
              currency: maybe(pick(['KGS', 'USD'])),
              image_key: maybe(keyOf(p, Math.floor(next() * KEYS_PER_PRODUCT))),
            }
          : { image_key: image };
      history.push(productEvent(type, `p${p}`, time, data, `evt_${p}_${i}_${Math.floor(next() * 1e6)}`));
    }
    return history;
  });
}

/** Each product's events, some twice, shuffled; products interleaved. */
export function deliveries(all: ProductEvent[][], next: () => number): ProductEvent[] {
  const out = all.flat().flatMap((e) => (next() < 0.3 ? [e, e] : [e]));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as ProductEvent, out[i] as ProductEvent];
  }
  return out;
}

/**
 * The independent model: written from the contract, not from the merge code. Newest event wins
 * each field it carries; the newest of created/deleted says whether the product exists.
 */
export function expectedProduct(events: ProductEvent[]) {
  const newestFirst = [...new Map(events.map((e) => [e.event_id, e])).values()].sort(
    (a, b) => b.occurred_at - a.occurred_at || (b.event_id > a.event_id ? 1 : b.event_id < a.event_id ? -1 : 0),
  );
  const field = (name: keyof ProductEvent['data'], types: string[]) =>
    newestFirst.find((e) => types.includes(e.event_type) && e.data[name] !== null)?.data[name] ?? null;
  const catalogue = ['product.created', 'product.updated'];
  const existence = newestFirst.find((e) => e.event_type === 'product.created' || e.event_type === 'product.deleted');
  const deleted = existence?.event_type === 'product.deleted';
  return {
    title: field('title', catalogue),
    description: field('description', catalogue),
    category: field('category', catalogue),
    price: field('price', catalogue),
    currency: field('currency', catalogue),
    image_key: field('image_key', [...catalogue, 'product.image.updated']),
    deleted,
    deleted_at: deleted ? (existence?.occurred_at ?? null) : null,
    last_event_id: newestFirst[0]?.event_id ?? null,
  };
}

export type Expected = ReturnType<typeof expectedProduct>;
