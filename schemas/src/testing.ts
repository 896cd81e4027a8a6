import { productEventSchemaText } from './product-event.js';

/** Our schema with one more field in `data`: a producer-side change, compatible or not. */
export function evolvedSchema(field: Record<string, unknown>): string {
  const schema = JSON.parse(productEventSchemaText);
  schema.fields.find((f: { name: string }) => f.name === 'data').type.fields.push(field);
  return JSON.stringify(schema);
}
