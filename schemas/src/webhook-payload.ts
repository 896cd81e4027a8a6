import { type Static, Type } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { type FieldProblem, PayloadInvalidError } from './errors.js';
import { PRODUCT_EVENT_TYPES, type ProductEvent, type ProductEventType } from './product-event.js';

const nullableString = (maxLength: number) => Type.Unsafe<string | null>({ type: 'string', nullable: true, maxLength });

/**
 * The webhook body BakaiMarket sends (docs/WEBHOOK-CONTRACT.md). Fields we do not know are
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
const EVENT_TIME =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})[T ](?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2}))?(?:\.(?<fraction>\d{1,9}))?(?:Z|(?<sign>[+-])(?<zoneHours>\d{2}):?(?<zoneMinutes>\d{2}))?$/i;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const PRICE_SCALE = 4;
const PRICE_TEXT = new RegExp(`^\\d{1,18}(?:\\.\\d{1,${PRICE_SCALE}})?$`);

/** Which event times the ingress accepts: a sender's clock may be off, but not by years. */
export interface EventTimePolicy {
  /** How far ahead of the receiving clock an event time may be. */
  maxSkewMs: number;
  /** The earliest event time accepted, epoch milliseconds. */
  earliest: number;
}

// Identifiers: no control characters at all. Text: no control characters but tab and line
// breaks (a NUL cannot be stored in PostgreSQL; the others have no business in a catalogue).
const ID_CONTROL = /\p{Cc}/u;
const TEXT_CONTROL = /[^\P{Cc}\t\n\r]/u;
// Half of a surrogate pair on its own is not text: UTF-8 cannot carry it.
const LONE_SURROGATE = /\p{Cs}/u;
const TEXT_FIELDS = ['title', 'description', 'category', 'currency', 'image_key'] as const;
// A double carries any decimal of up to 15 significant digits exactly; a longer JSON number may
// already have been rounded by the parser, and would be stored as a different price.
const EXACT_DIGITS = 15;

/**
 * Checks a parsed webhook body and turns it into the record for the log. Throws
 * PayloadInvalidError listing every problem found.
 */
export function toProductEvent(
  body: unknown,
  rawBody: Buffer,
  receivedAt: number,
  policy: EventTimePolicy,
): ProductEvent {
  if (!validateShape(body)) throw new PayloadInvalidError((validateShape.errors ?? []).map(toFieldProblem));
  const problems: FieldProblem[] = [];
  const occurredAt = parseEventTime(body.timestamp);
  if (occurredAt === undefined) {
    problems.push({
      path: ['timestamp'],
      kind: 'format',
      message: 'must be an ISO 8601 date-time that exists, e.g. 2025-11-12T10:00:00Z',
    });
  } else if (occurredAt > receivedAt + policy.maxSkewMs) {
    problems.push({
      path: ['timestamp'],
      kind: 'future',
      message: `is more than ${policy.maxSkewMs} ms ahead of the ingress clock (${new Date(receivedAt).toISOString()})`,
    });
  } else if (occurredAt < policy.earliest) {
    problems.push({
      path: ['timestamp'],
      kind: 'too_early',
      message: `is before ${new Date(policy.earliest).toISOString()}, the earliest event time accepted`,
    });
  }
  const price = body.data.price == null ? null : priceText(body.data.price);
  if (price === undefined) {
    problems.push({
      path: ['data', 'price'],
      kind: 'format',
      message: `must have at most 18 integer digits, ${PRICE_SCALE} decimals and ${EXACT_DIGITS} significant digits (a longer JSON number cannot be read exactly)`,
    });
  }
  problems.push(...textProblems(body));
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

/** Epoch milliseconds of an ISO 8601 date-time; undefined when it is malformed or does not exist (2025-02-30). */
export function parseEventTime(text: string): number | undefined {
  const parts = EVENT_TIME.exec(text)?.groups;
  if (!parts) return undefined;
  // Computed from the parts rather than handed to Date.parse: this runs for every webhook.
  const number = (name: string) => Number(parts[name] ?? 0);
  const [year, month, day] = [number('year'), number('month'), number('day')];
  const [hour, minute, second] = [number('hour'), number('minute'), number('second')];
  const [zoneHours, zoneMinutes] = [number('zoneHours'), number('zoneMinutes')];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  if (zoneHours > 23 || zoneMinutes > 59) return undefined;
  const millis = Number((parts.fraction ?? '').slice(0, 3).padEnd(3, '0'));
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  at.setUTCFullYear(year); // Date.UTC reads the years 0–99 as 1900–1999
  const offsetMinutes = (parts.sign === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  return at.getTime() - offsetMinutes * 60_000;
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/**
 * The sender serialises a double; its shortest round-trip text (which String() gives back) is
 * exactly the decimal it meant. "15000.0" arrives as 15000 and becomes "15000".
 */
function priceText(price: number): string | undefined {
  const text = String(price);
  const significant = text.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
  return PRICE_TEXT.test(text) && (significant <= EXACT_DIGITS || Number.isSafeInteger(price)) ? text : undefined;
}

function textProblems(body: WebhookPayload): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (path: string[], value: string | null | undefined, control: RegExp) => {
    if (typeof value !== 'string') return;
    if (control.test(value)) {
      problems.push({ path, kind: 'control_character', message: 'must not contain control characters' });
    } else if (LONE_SURROGATE.test(value)) {
      problems.push({ path, kind: 'encoding', message: 'must not contain half of a UTF-16 surrogate pair' });
    }
  };
  check(['event_id'], body.event_id, ID_CONTROL);
  check(['data', 'product_id'], body.data.product_id, ID_CONTROL);
  for (const field of TEXT_FIELDS)
    check(['data', field], body.data[field], field === 'image_key' ? ID_CONTROL : TEXT_CONTROL);
  return problems;
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
