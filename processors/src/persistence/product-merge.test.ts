import assert from 'node:assert/strict';
import { test } from 'node:test';
import { productEvent } from '../testing/index.js';
import { mergeEvents, type PositionedEvent, type ProductRow } from './product-merge.js';

const emptyRow = (productId: string): ProductRow => ({
  product_id: productId,
  title: null,
  description: null,
  category: null,
  price: null,
  currency: null,
  image_key: null,
  deleted: false,
  deleted_at: null,
  field_versions: {},
  last_event_id: null,
  last_event_type: null,
  last_event_at: null,
  last_event_partition: null,
  last_event_offset: null,
});

const at = (event: ReturnType<typeof productEvent>, offset = 0): PositionedEvent => ({
  event,
  partition: 0,
  offset: String(offset),
});

const created = productEvent('product.created', 'p1', 1_000, {
  title: 'Телефон',
  price: '15000',
  image_key: 'p1/a.jpg',
});
const updated = productEvent('product.updated', 'p1', 2_000, { title: 'Телефон Pro' });
const image = productEvent('product.image.updated', 'p1', 3_000, { image_key: 'p1/b.jpg' });
const deleted = productEvent('product.deleted', 'p1', 4_000);
const lateUpdate = productEvent('product.updated', 'p1', 3_500, { title: 'Воскрес?' });

test('merge should fold a product history into its latest state', () => {
  const row = emptyRow('p1');

  const outcomes = mergeEvents(
    row,
    [created, updated, image].map((e, i) => at(e, i)),
  );

  assert.deepEqual(outcomes, ['applied', 'applied', 'applied']);
  assert.equal(row.title, 'Телефон Pro');
  assert.equal(row.price, '15000');
  assert.equal(row.image_key, 'p1/b.jpg');
  assert.equal(row.last_event_id, image.event_id);
});

test('merge should reach the same row from any order, with duplicates, and report the repeats as stale', () => {
  const inOrder = emptyRow('p1');
  mergeEvents(
    inOrder,
    [created, updated, image, deleted, lateUpdate].map((e) => at(e)),
  );
  const shuffled = emptyRow('p1');

  const outcomes = mergeEvents(
    shuffled,
    [deleted, lateUpdate, image, updated, created, created, deleted].map((e) => at(e)),
  );

  assert.deepEqual(shuffled, inOrder);
  assert.deepEqual(outcomes.slice(-2), ['stale', 'stale']);
});

test('merge should not let a late product.updated resurrect a deleted product', () => {
  const row = emptyRow('p1');

  mergeEvents(
    row,
    [created, deleted, lateUpdate].map((e) => at(e)),
  );

  assert.equal(row.deleted, true);
  assert.equal(row.deleted_at?.getTime(), 4_000);
  assert.equal(row.title, 'Воскрес?', 'fields still take their newest value while deleted');
});

test('merge should bring a product back only with a product.created newer than its deletion', () => {
  const row = emptyRow('p1');
  const recreated = productEvent('product.created', 'p1', 5_000, { title: 'Снова в продаже' });

  mergeEvents(
    row,
    [created, deleted, recreated].map((e) => at(e)),
  );

  assert.equal(row.deleted, false);
  assert.equal(row.deleted_at, null);
  assert.equal(row.title, 'Снова в продаже');
});

test('merge should order events with the same time by event id, so replicas agree', () => {
  const a = productEvent('product.updated', 'p1', 1_000, { title: 'A' }, 'evt-a');
  const b = productEvent('product.updated', 'p1', 1_000, { title: 'B' }, 'evt-b');
  const first = emptyRow('p1');
  const second = emptyRow('p1');

  mergeEvents(first, [at(a), at(b)]);
  mergeEvents(second, [at(b), at(a)]);

  assert.equal(first.title, 'B');
  assert.equal(second.title, 'B');
});
