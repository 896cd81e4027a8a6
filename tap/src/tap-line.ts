import type { LogRecord } from './log-reader.js';

/** A record decoded with the schema it was written with, or why it could not be. */
export type Decoded =
  | { schemaId: number; event: Record<string, unknown> }
  | { error: { code: string; message: string } };

export type TapFormat = 'jsonl' | 'csv';

/**
 * The event with its bytes as text: `raw_body` is the webhook's JSON text, so it is shown as that
 * text; any other bytes field a newer schema adds as base64. (A JSON.stringify replacer would do
 * the same at half the speed.)
 */
function withBytesAsText(record: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (Buffer.isBuffer(value)) plain[key] = key === 'raw_body' ? value.toString('utf8') : value.toString('base64');
    else if (value !== null && typeof value === 'object')
      plain[key] = withBytesAsText(value as Record<string, unknown>);
    else plain[key] = value;
  }
  return plain;
}

const where = (record: LogRecord) => ({
  topic: record.topic,
  partition: record.partition,
  offset: record.offset,
  timestamp: new Date(record.timestamp).toISOString(),
  key: record.key?.toString('utf8') ?? null,
  headers: record.headers,
});

/**
 * One JSON object per record: where it is on the log, then `schema_id` and `event` (every field as
 * written; price as an exact decimal string), or `error` for a record that does not decode.
 */
export function jsonLine(record: LogRecord, decoded: Decoded): string {
  const body =
    'error' in decoded
      ? { error: decoded.error }
      : { schema_id: decoded.schemaId, event: withBytesAsText(decoded.event) };
  return JSON.stringify({ ...where(record), ...body });
}

export const CSV_COLUMNS = [
  'topic',
  'partition',
  'offset',
  'timestamp',
  'key',
  'schema_id',
  'event_id',
  'event_type',
  'event_timestamp',
  'occurred_at',
  'received_at',
  'product_id',
  'title',
  'description',
  'category',
  'price',
  'currency',
  'image_key',
  'raw_body',
  'headers',
  'error_code',
  'error_message',
] as const;

/** One RFC 4180 row in CSV_COLUMNS order; headers as a JSON object, fields a newer schema adds are left out. */
export function csvLine(record: LogRecord, decoded: Decoded): string {
  const place = where(record);
  const event = 'error' in decoded ? undefined : decoded.event;
  const data = (event?.data ?? {}) as Record<string, unknown>;
  const error = 'error' in decoded ? decoded.error : undefined;
  const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    ...place,
    headers: JSON.stringify(place.headers),
    schema_id: 'error' in decoded ? null : decoded.schemaId,
    event_id: event?.event_id,
    event_type: event?.event_type,
    event_timestamp: event?.timestamp,
    occurred_at: event?.occurred_at,
    received_at: event?.received_at,
    product_id: data.product_id,
    title: data.title,
    description: data.description,
    category: data.category,
    price: data.price,
    currency: data.currency,
    image_key: data.image_key,
    raw_body: Buffer.isBuffer(event?.raw_body) ? event.raw_body.toString('utf8') : null,
    error_code: error?.code,
    error_message: error?.message,
  };
  return CSV_COLUMNS.map((column) => csvCell(row[column])).join(',');
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
