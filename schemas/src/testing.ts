import { productEventSchemaText } from './product-event.js';

/** The example webhook body of the contract BakaiMarket implements, as it gives it. */
export const CONTRACT_EXAMPLE_BODY = {
  event_type: 'product.created',
  event_id: 'unique_event_id_123',
  timestamp: '2025-11-12T10:00:00Z',
  data: {
    product_id: '12345',
    title: 'Название товара',
    description: 'Описание товара',
    category: 'Электроника',
    price: 15000.0,
    currency: 'KGS',
    image_key: '12345/main.jpg',
  },
};

/** Our schema with one more field in `data`: a producer-side change, compatible or not. */
export function evolvedSchema(field: Record<string, unknown>): string {
  const schema = JSON.parse(productEventSchemaText);
  schema.fields.find((f: { name: string }) => f.name === 'data').type.fields.push(field);
  return JSON.stringify(schema);
}
