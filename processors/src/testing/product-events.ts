import { emptyProductData, type ProductEvent } from '@vsp/schemas';

let sequence = 0;

/** A product event as the ingress would put it on the log; `data` fields override the defaults. */
export function productEvent(
  eventType: ProductEvent['event_type'],
  productId: string,
  occurredAt: number,
  data: Partial<ProductEvent['data']> = {},
  eventId = `evt_${productId}_${occurredAt}_${++sequence}`,
): ProductEvent {
  return {
    event_id: eventId,
    event_type: eventType,
    timestamp: new Date(occurredAt).toISOString(),
    occurred_at: occurredAt,
    received_at: occurredAt + 5,
    data: { ...emptyProductData(productId), ...data },
    raw_body: Buffer.from('{}'),
  };
}

const CATALOGUE_T0 = Date.UTC(2025, 10, 12, 10);

/** Each product's history: created, updated, image updated, and every third one deleted. */
export function catalogueHistories(products: number): ProductEvent[][] {
  return Array.from({ length: products }, (_, i) => {
    const id = `p${i}`;
    const history = [
      productEvent('product.created', id, CATALOGUE_T0 + i, {
        title: `Товар ${i}`,
        category: 'Электроника',
        price: '100.5',
        currency: 'KGS',
        image_key: `${id}/a.jpg`,
      }),
      productEvent('product.updated', id, CATALOGUE_T0 + 60_000 + i, {
        title: `Товар ${i} (новый)`,
        price: `${200 + i}.25`,
      }),
      productEvent('product.image.updated', id, CATALOGUE_T0 + 120_000 + i, { image_key: `${id}/b.jpg` }),
    ];
    if (i % 3 === 0) history.push(productEvent('product.deleted', id, CATALOGUE_T0 + 180_000 + i));
    return history;
  });
}

/** The rows `catalogueHistories(products)` must end in, as SELECT_CATALOGUE returns them. */
export function expectedCatalogue(products: number) {
  return Array.from({ length: products }, (_, i) => ({
    product_id: `p${i}`,
    title: `Товар ${i} (новый)`,
    category: 'Электроника',
    price: `${200 + i}.2500`,
    currency: 'KGS',
    image_key: `p${i}/b.jpg`,
    deleted: i % 3 === 0,
  })).sort((a, b) => a.product_id.localeCompare(b.product_id));
}

export const SELECT_CATALOGUE =
  'SELECT product_id, title, category, price, currency, image_key, deleted FROM products ORDER BY product_id';
