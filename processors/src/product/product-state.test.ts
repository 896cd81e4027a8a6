import assert from 'node:assert/strict';
import { test } from 'node:test';
import { productEvent } from '../testing/index.js';
import { versionAt } from './event-version.js';
import { emptyProductState, mergeEvents } from './product-state.js';

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
  const row = emptyProductState('p1');

  const outcomes = mergeEvents(row, [created, updated, image]);

  assert.deepEqual(outcomes, ['applied', 'applied', 'applied']);
  assert.equal(row.title, 'Телефон Pro');
  assert.equal(row.price, '15000');
  assert.equal(row.image_key, 'p1/b.jpg');
  assert.equal(row.last_event?.id, image.event_id);
});

test('merge should reach the same row from any order, with duplicates, and report the repeats as stale', () => {
  const inOrder = emptyProductState('p1');
  mergeEvents(inOrder, [created, updated, image, deleted, lateUpdate]);
  const shuffled = emptyProductState('p1');

  const outcomes = mergeEvents(shuffled, [deleted, lateUpdate, image, updated, created, created, deleted]);

  assert.deepEqual(shuffled, inOrder);
  assert.deepEqual(outcomes.slice(-2), ['stale', 'stale']);
});

test('merge should not let a late product.updated resurrect a deleted product', () => {
  const row = emptyProductState('p1');

  mergeEvents(row, [created, deleted, lateUpdate]);

  assert.equal(row.deleted, true);
  assert.equal(row.deleted_at, 4_000);
  assert.equal(row.title, 'Воскрес?', 'fields still take their newest value while deleted');
});

test('merge should bring a product back only with a product.created newer than its deletion', () => {
  const row = emptyProductState('p1');
  const recreated = productEvent('product.created', 'p1', 5_000, { title: 'Снова в продаже' });

  mergeEvents(row, [created, deleted, recreated]);

  assert.equal(row.deleted, false);
  assert.equal(row.deleted_at, null);
  assert.equal(row.title, 'Снова в продаже');
});

test('merge should order events with the same time by event id, so replicas agree', () => {
  const a = productEvent('product.updated', 'p1', 1_000, { title: 'A' }, 'evt-a');
  const b = productEvent('product.updated', 'p1', 1_000, { title: 'B' }, 'evt-b');
  const first = emptyProductState('p1');
  const second = emptyProductState('p1');

  mergeEvents(first, [a, b]);
  mergeEvents(second, [b, a]);

  assert.equal(first.title, 'B');
  assert.equal(second.title, 'B');
});

test('merge should order event times before 1970 as times, not as text', () => {
  const times = [-86_400_000, -1, 0, 1, -31_536_000_000_000, 1_762_941_600_000];
  const ordered = [...times].sort((a, b) => a - b).map((time) => versionAt(time, 'e'));
  assert.deepEqual([...ordered].sort(), ordered);

  const older = productEvent('product.updated', 'p1', Date.UTC(1960, 0, 1), { title: 'Старое' });
  const newer = productEvent('product.updated', 'p1', Date.UTC(1969, 11, 31), { title: 'Новое' });
  for (const order of [
    [older, newer],
    [newer, older],
  ]) {
    const row = emptyProductState('p1');
    mergeEvents(row, order);
    assert.equal(row.title, 'Новое');
    assert.equal(row.last_event?.id, newer.event_id);
  }
});

test('merge should count a re-announced image under the same key as a change', () => {
  const row = emptyProductState('p1');
  mergeEvents(row, [created]);
  const before = { ...row.versions };
  const sameKey = productEvent('product.image.updated', 'p1', 5_000, { image_key: 'p1/a.jpg' });

  assert.deepEqual(mergeEvents(row, [sameKey]), ['applied']);
  assert.equal(row.image_key, 'p1/a.jpg');
  assert.notEqual(row.versions.image, before.image);
});
