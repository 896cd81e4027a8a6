import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProductEvent } from '@vsp/schemas';
import { type CleanupContext, readRecords } from '@vsp/test-harness';
import {
  counterTotal,
  createEventTopic,
  expectedCatalogue as expectedRows,
  catalogueHistories as histories,
  productEvent,
  SELECT_CATALOGUE as SELECT_ROWS,
  startTestPersistence,
} from '../testing/index.js';

const T0 = Date.UTC(2025, 10, 12, 10);

/** A persistence processor that has handled `events`, sent on a fresh topic of 3 partitions. */
async function persisted(t: CleanupContext, events: ProductEvent[]) {
  const topic = await createEventTopic(t, 3);
  await topic.produce(events);
  const persistence = await startTestPersistence(t, topic.topic);
  await persistence.waitForHandled(events.length);
  return { topic, persistence };
}

test('persistence should turn create, update, image and delete sequences across partitions into the expected rows', async (t) => {
  const { persistence } = await persisted(t, histories(90).flat());

  assert.deepEqual(await persistence.query(SELECT_ROWS), expectedRows(90));
  const [row] = await persistence.query<{ last_event_type: string; deleted_at: Date }>(
    "SELECT last_event_type, deleted_at FROM products WHERE product_id = 'p0'",
  );
  assert.equal(row?.last_event_type, 'product.deleted');
  assert.equal(row?.deleted_at.getTime(), T0 + 180_000);
  assert.equal(await counterTotal(persistence.metrics, 'deadLetters'), 0);
});

test('persistence should end with the same rows when every event arrives twice and shuffled per product', async (t) => {
  const shuffled = histories(90).flatMap((history, i) => {
    const twice = [...history, ...history];
    // A deterministic shuffle per product: rotate and reverse by product number.
    const rotated = [...twice.slice(i % twice.length), ...twice.slice(0, i % twice.length)];
    return i % 2 === 0 ? rotated.reverse() : rotated;
  });

  const { persistence } = await persisted(t, shuffled);

  assert.deepEqual(await persistence.query(SELECT_ROWS), expectedRows(90));
  assert.ok((await counterTotal(persistence.metrics, 'events', { outcome: 'stale' })) >= shuffled.length / 2);
});

test('persistence should apply a replay of the whole topic as a no-op', async (t) => {
  const events = histories(30).flat();
  const { topic, persistence: first } = await persisted(t, events);
  const before = await first.query('SELECT * FROM products ORDER BY product_id');

  await topic.produce(events);
  await first.waitForHandled(events.length * 2);

  assert.deepEqual(await first.query('SELECT * FROM products ORDER BY product_id'), before);
  assert.equal(await counterTotal(first.metrics, 'events', { outcome: 'stale' }), events.length);
});

test('persistence should dead-letter poison and invalid records with their origin, and go on', async (t) => {
  const topic = await createEventTopic(t, 1);
  const good = productEvent('product.created', 'ok-1', T0, { title: 'Хороший' });
  const unknownType = {
    ...productEvent('product.created', 'bad-1', T0),
    event_type: 'product.renamed',
  } as unknown as ProductEvent;
  await topic.produce([good]);
  await topic.produceRaw([{ key: 'poison-1', value: Buffer.from('{"not":"avro"}') }]);
  await topic.produce([unknownType, productEvent('product.created', 'ok-2', T0, { title: 'Тоже хороший' })]);

  const persistence = await startTestPersistence(t, topic.topic);
  await persistence.waitForHandled(4);
  const letters = await readRecords(t, topic.dlq, 2);

  assert.deepEqual(
    (await persistence.query('SELECT product_id FROM products ORDER BY product_id')).map((r) => r.product_id),
    ['ok-1', 'ok-2'],
  );
  const [poison, invalid] = letters.sort(
    (a, b) => Number(a.headers['dlq.original.offset']) - Number(b.headers['dlq.original.offset']),
  );
  assert.equal(String(poison?.value), '{"not":"avro"}');
  assert.equal(String(poison?.key), 'poison-1');
  assert.equal(poison?.headers['dlq.original.topic'], topic.topic);
  assert.equal(poison?.headers['dlq.original.partition'], '0');
  assert.equal(poison?.headers['dlq.original.offset'], '1');
  assert.ok(poison?.headers['dlq.original.timestamp']);
  assert.equal(poison?.headers['dlq.consumer.group'], persistence.config.PERSISTENCE_GROUP_ID);
  assert.equal(poison?.headers['dlq.stage'], 'decode');
  assert.equal(poison?.headers['dlq.error.code'], 'RECORD_UNDECODABLE');
  assert.equal(poison?.headers['dlq.attempts'], '1');
  assert.ok(poison?.headers['dlq.failure.first'] && poison.headers['dlq.failure.last']);
  assert.equal(invalid?.headers['dlq.stage'], 'validate');
  assert.equal(invalid?.headers['dlq.error.code'], 'EVENT_INVALID');
  assert.match(String(invalid?.headers['dlq.error.message']), /product\.renamed/);
  assert.equal(invalid?.headers.event_id, unknownType.event_id);
  assert.equal(await counterTotal(persistence.metrics, 'deadLetters', { reason: 'RECORD_UNDECODABLE' }), 1);
});
