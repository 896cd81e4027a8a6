import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { DecimalType } from './decimal-type.js';

export const PRODUCT_EVENT_TYPES = [
  'product.created',
  'product.updated',
  'product.deleted',
  'product.image.updated',
] as const;
export type ProductEventType = (typeof PRODUCT_EVENT_TYPES)[number];

/** The `data` object of a webhook. Absent optional fields are null on the log. */
export interface ProductData {
  product_id: string;
  title: string | null;
  description: string | null;
  category: string | null;
  /** Exact decimal text in major units, e.g. "15000" or "19.99". */
  price: string | null;
  currency: string | null;
  image_key: string | null;
}

/** A product's data with every optional field absent: null, as on the log. */
export function emptyProductData(productId: string): ProductData {
  return {
    product_id: productId,
    title: null,
    description: null,
    category: null,
    price: null,
    currency: null,
    image_key: null,
  };
}

/** The record on `product-events`, field for field the Avro schema in avro/product-event.avsc. */
export interface ProductEvent {
  event_id: string;
  event_type: ProductEventType;
  timestamp: string;
  /** Event time, epoch milliseconds UTC. */
  occurred_at: number;
  /** Ingress receive time, epoch milliseconds UTC. */
  received_at: number;
  data: ProductData;
  raw_body: Buffer;
}

export const PRODUCT_EVENT_SUBJECT = 'product-events-value';

/** The schema exactly as committed, which is what gets registered. */
export const productEventSchemaText = readFileSync(new URL('../avro/product-event.avsc', import.meta.url), 'utf8');

/**
 * Options every avsc type in this pipeline is built with, for writer and reader schemas alike.
 * Fresh each time: avsc stores its registry of type names in the options object it is given.
 */
export const avroTypeOptions = (): Partial<avro.ForSchemaOptions> => ({ logicalTypes: { decimal: DecimalType } });

export const productEventType = avro.Type.forSchema(JSON.parse(productEventSchemaText), avroTypeOptions());
