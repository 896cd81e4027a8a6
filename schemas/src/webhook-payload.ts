import { type Static, Type } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { type FieldProblem, PayloadInvalidError } from './errors.js';
import { PRODUCT_EVENT_TYPES, type ProductEvent, type ProductEventType } from './product-event.js';

const nullableString = (maxLength: number) => Type.Unsafe<string | null>({ type: 'string', nullable: true, maxLength });

/**
 * The webhook body BakaiMarket sends (shared/seed/CONTRACT.md). Fields we do not know are
 * allowed: they travel on the log inside raw_body.
 */
export const WebhookPayloadSchema = Type.Object({
  event_type: Type.Unsafe<ProductEventType>({ type: 'string', enum: [...PRODUCT_EVENT_TYPES] }),
  event_id: Type.String({ minLength: 1, maxLength: 256 }),
  timestamp: Type.String({ minLength: 1, maxLength: 64 }),
  data: Type.Object({
    product_id: Type.String({ minLength: 1, maxLength: 256 }),
    title: Type.Optional(nullableString(2_000)),
    description: Type.Optional(nullableString(200_000)),
    category: Type.Optional(nullableString(500)),
    price: Type.Optional(Type.Unsafe<number | null>({ type: 'number', nullable: true, minimum: 0 })),
    currency: Type.Optional(nullableString(16)),
    image_key: Type.Optional(nullableString(1_024)),
  }),
});
export type WebhookPayload = Static<typeof WebhookPayloadSchema>;

const ajv = new Ajv({ allErrors: true, strict: false });
const validateShape = ajv.compile<WebhookPayload>(WebhookPayloadSchema);

// ISO 8601 date-time; no zone means UTC (Python's datetime.utcnow().isoformat() sends none).
const EVENT_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;
const PRICE_SCALE = 4;
const PRICE_TEXT = new RegExp(`^\\d{1,18}(?:\\.\\d{1,${PRICE_SCALE}})?$`);

/**
 * Checks a parsed webhook body and turns it into the record for the log. Throws
 * PayloadInvalidError listing every problem found.
 */
export function toProductEvent(body: unknown, rawBody: Buffer, receivedAt: number): ProductEvent {
  if (!validateShape(body)) throw new PayloadInvalidError((validateShape.errors ?? []).map(toFieldProblem));
  const problems: FieldProblem[] = [];
  const occurredAt = parseEventTime(body.timestamp);
  if (occurredAt === undefined) {
    problems.push({
      path: ['timestamp'],
      kind: 'format',
      message: 'must be an ISO 8601 date-time, e.g. 2025-11-12T10:00:00Z',
    });
  }
  const price = body.data.price == null ? null : priceText(body.data.price);
  if (price === undefined) {
    problems.push({
      path: ['data', 'price'],
      kind: 'format',
      message: `must have at most 18 integer digits and ${PRICE_SCALE} decimals`,
    });
  }
  if (problems.length > 0 || occurredAt === undefined || price === undefined) throw new PayloadInvalidError(problems);
  const { data } = body;
  return {
    event_id: body.event_id,
    event_type: body.event_type,
    timestamp: body.timestamp,
    occurred_at: occurredAt,
    received_at: receivedAt,
    data: {
      product_id: data.product_id,
      title: data.title ?? null,
      description: data.description ?? null,
      category: data.category ?? null,
      price,
      currency: data.currency ?? null,
      image_key: data.image_key ?? null,
    },
    raw_body: rawBody,
  };
}

export function parseEventTime(text: string): number | undefined {
  const match = EVENT_TIME.exec(text);
  if (!match) return undefined;
  const [, date, time = '', fraction = '', zone = 'Z'] = match;
  const millis = fraction.slice(0, 3).padEnd(3, '0');
  const iso = `${date}T${time.length === 5 ? `${time}:00` : time}.${millis}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * The sender serialises a double; its shortest round-trip text (which String() gives back) is
 * exactly the decimal it meant. "15000.0" arrives as 15000 and becomes "15000".
 */
function priceText(price: number): string | undefined {
  const text = String(price);
  return PRICE_TEXT.test(text) ? text : undefined;
}

function toFieldProblem(error: ErrorObject): FieldProblem {
  const path = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'required') {
    return { path: [...path, String(error.params.missingProperty)], kind: 'required', message: 'is required' };
  }
  if (error.keyword === 'enum') {
    return { path, kind: 'enum', message: `must be one of ${(error.params.allowedValues as string[]).join(', ')}` };
  }
  return { path, kind: error.keyword, message: error.message ?? 'is invalid' };
}
