import { productImage } from './synthetic-images.js';

export interface DemoProduct {
  id: string;
  imageKey: string;
  photo: Buffer;
  /** The product.created webhook body, as BakaiMarket sends it. */
  event: Record<string, unknown>;
}

const CATEGORIES = [
  { name: 'Электроника', noun: 'Наушники' },
  { name: 'Одежда', noun: 'Куртка' },
  { name: 'Дом и сад', noun: 'Ваза' },
  { name: 'Спорт', noun: 'Рюкзак' },
] as const;

/**
 * A small catalogue whose every product has its own generated photo. Ids, event ids and times are
 * fixed, so running the demo twice sends the same events again: duplicates the pipeline ignores.
 */
export async function demoCatalogue(count: number): Promise<DemoProduct[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const number = String(i + 1).padStart(3, '0');
      const id = `demo-${number}`;
      const category = CATEGORIES[i % CATEGORIES.length] as (typeof CATEGORIES)[number];
      const imageKey = `demo/${id}.jpg`;
      return {
        id,
        imageKey,
        photo: await productImage(9_000 + i),
        event: {
          event_type: 'product.created',
          event_id: `evt_${id}_created`,
          timestamp: new Date(Date.UTC(2026, 0, 1, 12, 0, i)).toISOString(),
          data: {
            product_id: id,
            title: `${category.noun} «Демо ${number}»`,
            description: 'Товар из демонстрационного каталога',
            category: category.name,
            price: 500 + ((i * 137) % 4500),
            currency: 'KGS',
            image_key: imageKey,
          },
        },
      };
    }),
  );
}
