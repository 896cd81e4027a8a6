import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { Partitioners } from 'kafkajs';
import {
  createKafka,
  createSchemaRegistry,
  createTestDatabase,
  createTopic,
  ensureInfra,
  onCleanup,
  uniqueGroupId,
  uniqueSubject,
  waitFor,
} from './index.js';

test('the harness should carry a keyed record through the real broker', async (t) => {
  const topic = await createTopic(t, { partitions: 3 });
  const kafka = await createKafka();
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  onCleanup(t, () => producer.disconnect());
  await producer.send({ topic, acks: -1, messages: [{ key: '12345', value: 'Название товара' }] });

  const consumer = kafka.consumer({ groupId: uniqueGroupId(), maxWaitTimeInMs: 100 });
  await consumer.connect();
  onCleanup(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: { key: string; value: string }[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({ key: String(message.key), value: String(message.value) });
    },
  });

  await waitFor(() => received.length > 0, { description: 'the record to be consumed' });
  assert.deepEqual(received, [{ key: '12345', value: 'Название товара' }]);
});

test('the harness should register a schema in the registry and fetch it back by id', async (t) => {
  const subject = await uniqueSubject(t);
  const registry = await createSchemaRegistry();
  const { schemaRegistryUrl } = await ensureInfra();
  const schema = { type: 'record', name: 'Probe', namespace: 'test', fields: [{ name: 'id', type: 'string' }] };

  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
  const encoded = await registry.encode(id, { id: 'abc' });

  const stored = (await (await fetch(`${schemaRegistryUrl}/schemas/ids/${id}`)).json()) as { schema: string };
  assert.deepEqual(JSON.parse(stored.schema), schema);
  // avsc decodes into an instance of a generated record class; compare its fields.
  assert.deepEqual({ ...(await registry.decode(encoded)) }, { id: 'abc' });
});

test('the harness should give each test its own PostgreSQL schema', async (t) => {
  const { pool, schema } = await createTestDatabase(t);
  await pool.query('create table probe (id int primary key, title text)');
  await pool.query('insert into probe values (1, $1)', ['Электроника']);

  const { rows } = await pool.query('select current_schema() as schema, title from probe');
  assert.deepEqual(rows, [{ schema, title: 'Электроника' }]);
});
