import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogRecord } from './log-reader.js';
import { csvLine, jsonLine } from './tap-line.js';

const record: LogRecord = {
  topic: 'product-events',
  partition: 2,
  offset: '41',
  timestamp: Date.UTC(2026, 10, 28, 10),
  key: Buffer.from('12345'),
  value: null,
  headers: { event_type: 'product.created' },
};
const event = {
  event_id: 'evt_1',
  event_type: 'product.created',
  timestamp: '2026-11-28T10:00:00Z',
  occurred_at: 1,
  received_at: 2,
  data: { product_id: '12345', title: 'Кресло, "мягкое"\nновое', price: '15000.5', image_key: null },
  raw_body: Buffer.from('{"event_id":"evt_1"}'),
  thumbnail: Buffer.from([0xff, 0x00]),
};

test('a JSON line should carry where the record is, the event as written, raw_body as text and other bytes as base64', () => {
  const line = JSON.parse(jsonLine(record, { schemaId: 7, event }));

  assert.deepEqual(
    { ...line, event: undefined },
    {
      topic: 'product-events',
      partition: 2,
      offset: '41',
      timestamp: '2026-11-28T10:00:00.000Z',
      key: '12345',
      headers: { event_type: 'product.created' },
      schema_id: 7,
      event: undefined,
    },
  );
  assert.equal(line.event.data.price, '15000.5');
  assert.equal(line.event.raw_body, '{"event_id":"evt_1"}');
  assert.equal(line.event.thumbnail, '/wA=');
});

test('a JSON line for a record that does not decode should say why instead of an event', () => {
  const line = JSON.parse(jsonLine(record, { error: { code: 'RECORD_UNDECODABLE', message: 'not Avro' } }));

  assert.deepEqual(line.error, { code: 'RECORD_UNDECODABLE', message: 'not Avro' });
  assert.equal(line.event, undefined);
});

test('a CSV line should quote commas, quotes and line breaks, and keep the price exact', () => {
  const line = csvLine(record, { schemaId: 7, event });

  assert.ok(line.includes(',"Кресло, ""мягкое""\nновое",'));
  assert.ok(line.includes(',15000.5,'));
  assert.ok(line.includes(',"{""event_type"":""product.created""}",'));
  assert.ok(line.includes(',"{""event_id"":""evt_1""}",'));
  assert.ok(line.startsWith('product-events,2,41,2026-11-28T10:00:00.000Z,12345,7,evt_1,product.created,'));
  assert.ok(line.endsWith(',,'), 'no error columns for a decoded record');
});
