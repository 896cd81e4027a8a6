import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PayloadInvalidError } from './errors.js';
import { emptyProductData } from './product-event.js';
import { CONTRACT_EXAMPLE_BODY } from './testing.js';
import { parseEventTime, toProductEvent } from './webhook-payload.js';

const receivedAt = Date.UTC(2025, 10, 12, 10, 0, 1);
const policy = { maxSkewMs: 300_000, earliest: Date.UTC(2000, 0, 1) };

function invalid(body: unknown): PayloadInvalidError {
  try {
    toProductEvent(body, Buffer.from(JSON.stringify(body)), receivedAt, policy);
  } catch (error) {
    assert.ok(error instanceof PayloadInvalidError);
    assert.equal(error.code, PayloadInvalidError.code);
    assert.equal(error.httpStatus, 422);
    return error;
  }
  assert.fail('expected PayloadInvalidError');
}

const paths = (error: PayloadInvalidError) => error.problems.map((p) => p.path.join('.')).sort();

test('webhook payload should map the contract example to a record, keeping Cyrillic and the exact price', () => {
  const body = CONTRACT_EXAMPLE_BODY;
  const raw = Buffer.from(JSON.stringify(body, null, 2));

  const event = toProductEvent(body, raw, receivedAt, policy);

  assert.deepEqual(event, {
    event_id: 'unique_event_id_123',
    event_type: 'product.created',
    timestamp: '2025-11-12T10:00:00Z',
    occurred_at: Date.UTC(2025, 10, 12, 10, 0, 0),
    received_at: receivedAt,
    data: { ...body.data, price: '15000' },
    raw_body: raw,
  });
});

test('webhook payload should accept the minimal test event with absent fields as null', () => {
  const event = toProductEvent(
    {
      event_type: 'product.deleted',
      event_id: 'e1',
      timestamp: '2025-11-12T10:00:00',
      data: { product_id: '7', unknown_new_field: true },
    },
    Buffer.from('{}'),
    receivedAt,
    policy,
  );

  assert.deepEqual(event.data, emptyProductData('7'));
});

test('webhook payload should name every offending field at once', () => {
  const error = invalid({ event_type: 'product.renamed', event_id: 5, data: { title: 3, price: -1 } });

  assert.deepEqual(paths(error), [
    'data.price',
    'data.product_id',
    'data.title',
    'event_id',
    'event_type',
    'timestamp',
  ]);
  assert.equal(error.problems.find((p) => p.path.join('.') === 'data.product_id')?.kind, 'required');
});

test('webhook payload should refuse an unparseable time and a price with more than four decimals', () => {
  const error = invalid({
    event_type: 'product.updated',
    event_id: 'e2',
    timestamp: 'yesterday',
    data: { product_id: '1', price: 1.23456 },
  });

  assert.deepEqual(paths(error), ['data.price', 'timestamp']);
});

test('event time should read ISO 8601 with or without zone and fraction', () => {
  assert.equal(parseEventTime('2025-11-12T10:00:00Z'), Date.UTC(2025, 10, 12, 10, 0, 0));
  assert.equal(parseEventTime('2025-11-12T10:00:00.123456'), Date.UTC(2025, 10, 12, 10, 0, 0, 123));
  assert.equal(parseEventTime('2025-11-12T16:00:00+06:00'), Date.UTC(2025, 10, 12, 10, 0, 0));
  assert.equal(parseEventTime('2025-11-12 16:00+0600'), Date.UTC(2025, 10, 12, 10, 0, 0));
  assert.equal(parseEventTime('2025-13-45T10:00:00Z'), undefined);
  assert.equal(parseEventTime('12/11/2025'), undefined);
});

test('event time should refuse dates that do not exist instead of rolling them over', () => {
  assert.equal(parseEventTime('2025-02-30T10:00:00Z'), undefined);
  assert.equal(parseEventTime('2025-04-31T10:00:00Z'), undefined);
  assert.equal(parseEventTime('2025-11-12T24:00:00Z'), undefined);
  assert.equal(parseEventTime('2025-11-12T10:60:00Z'), undefined);
  assert.equal(parseEventTime('2025-11-12T10:00:00+25:00'), undefined);
  assert.equal(parseEventTime('2024-02-29T10:00:00Z'), Date.UTC(2024, 1, 29, 10));
});

test('webhook payload should refuse event times far in the future or before the earliest accepted', () => {
  const at = (timestamp: string) => ({
    event_type: 'product.deleted',
    event_id: 'e',
    timestamp,
    data: { product_id: '1' },
  });

  const future = invalid(at('9999-12-31T23:59:59Z'));
  const early = invalid(at('0001-01-01T00:00:00Z'));
  const beforeEpoch = invalid(at('1969-12-31T23:59:59Z'));

  assert.equal(future.problems[0]?.kind, 'future');
  assert.equal(early.problems[0]?.kind, 'too_early');
  assert.equal(beforeEpoch.problems[0]?.kind, 'too_early');
  assert.doesNotThrow(() => toProductEvent(at('2025-11-12T10:04:59Z'), Buffer.from('{}'), receivedAt, policy));
});

test('webhook payload should refuse control characters in ids and text, naming the field', () => {
  const error = invalid({
    event_type: 'product.created',
    event_id: 'evt\nforged',
    timestamp: '2025-11-12T10:00:00Z',
    data: {
      product_id: 'p\u0000',
      title: 'a\u0000b',
      description: 'line one\nline two\ttabbed',
      image_key: 'p/\u0007.jpg',
    },
  });

  assert.deepEqual(paths(error), ['data.image_key', 'data.product_id', 'data.title', 'event_id']);
  assert.ok(error.problems.every((p) => p.kind === 'control_character'));
});

test('webhook payload should refuse a price a JSON number cannot carry exactly, and keep one it can', () => {
  const withPrice = (price: number) => ({
    event_type: 'product.updated',
    event_id: 'e',
    timestamp: '2025-11-12T10:00:00Z',
    data: { product_id: '1', price },
  });

  assert.deepEqual(paths(invalid(withPrice(JSON.parse('123456789012345678')))), ['data.price']);
  assert.equal(
    toProductEvent(withPrice(123456789012345), Buffer.from('{}'), receivedAt, policy).data.price,
    '123456789012345',
  );
  assert.equal(
    toProductEvent(withPrice(9007199254740991), Buffer.from('{}'), receivedAt, policy).data.price,
    '9007199254740991',
  );
  assert.equal(toProductEvent(withPrice(19.99), Buffer.from('{}'), receivedAt, policy).data.price, '19.99');
});
