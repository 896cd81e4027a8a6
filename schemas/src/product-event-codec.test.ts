import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureInfra, uniqueSubject } from '@vsp/test-harness';
import { RecordUndecodableError, SchemaRejectedError } from './errors.js';
import type { ProductEvent } from './product-event.js';
import { ProductEventCodec } from './product-event-codec.js';
import { evolvedSchema } from './testing.js';

const event: ProductEvent = {
  event_id: 'evt_1',
  event_type: 'product.created',
  timestamp: '2025-11-12T10:00:00Z',
  occurred_at: Date.UTC(2025, 10, 12, 10),
  received_at: Date.UTC(2025, 10, 12, 10, 0, 1),
  data: {
    product_id: '12345',
    title: 'Смартфон Redmi',
    description: null,
    category: 'Электроника',
    price: '15000.5',
    currency: 'KGS',
    image_key: '12345/main.jpg',
  },
  raw_body: Buffer.from('{"any":"bytes"}'),
};

/** Our schema with one more field in `data`: what a later version of the pipeline might write. */
async function codecFor(t: Parameters<typeof uniqueSubject>[0], schemaText?: string) {
  const { schemaRegistryUrl } = await ensureInfra();
  const subject = await uniqueSubject(t);
  return ProductEventCodec.register({ registryUrl: schemaRegistryUrl, subject, ...(schemaText ? { schemaText } : {}) });
}

test('codec should write Confluent wire format under the registered id and read it back', async (t) => {
  const codec = await codecFor(t);

  const bytes = codec.encode(event);

  assert.equal(bytes.readUInt8(0), 0);
  assert.equal(bytes.readUInt32BE(1), codec.schemaId);
  const decoded = await codec.decode(bytes);
  // avsc decodes records into instances of generated classes; compare their fields.
  assert.deepEqual({ ...decoded, data: { ...decoded.data } }, event);
});

test('codec should keep every encoded record its own bytes, also for a body larger than any before', async (t) => {
  const codec = await codecFor(t);
  const large = { ...event, raw_body: Buffer.alloc(200_000, 0x7b), data: { ...event.data, title: 'т'.repeat(50_000) } };

  const records = [codec.encode(event), codec.encode(large), codec.encode({ ...event, event_id: 'evt_2' })];

  const decoded = await Promise.all(records.map((bytes) => codec.decode(bytes)));
  assert.deepEqual(
    decoded.map(({ event_id, raw_body, data }) => [event_id, raw_body.length, data.title?.length]),
    [
      ['evt_1', event.raw_body.length, event.data.title?.length],
      ['evt_1', 200_000, 50_000],
      ['evt_2', event.raw_body.length, event.data.title?.length],
    ],
  );
});

test('codec should register the same schema twice under the same id', async (t) => {
  const first = await codecFor(t);
  const second = await ProductEventCodec.register({ registryUrl: first.registryUrl, subject: first.subject });

  assert.equal(second.schemaId, first.schemaId);
});

test('registry should accept an evolution that adds an optional field, and old readers still read it', async (t) => {
  const current = await codecFor(t);
  const withOptional = evolvedSchema({ name: 'brand', type: ['null', 'string'], default: null });

  const evolved = await ProductEventCodec.register({
    registryUrl: current.registryUrl,
    subject: current.subject,
    schemaText: withOptional,
  });
  const written = evolved.encode({ ...event, data: { ...event.data, brand: 'Xiaomi' } } as ProductEvent);

  assert.notEqual(evolved.schemaId, current.schemaId);
  assert.equal((await current.decode(written)).data.title, 'Смартфон Redmi');
});

test('registry should refuse an evolution that breaks old readers', async (t) => {
  const current = await codecFor(t);
  const withRequired = evolvedSchema({ name: 'seller_id', type: 'string' });

  await assert.rejects(
    ProductEventCodec.register({
      registryUrl: current.registryUrl,
      subject: current.subject,
      schemaText: withRequired,
    }),
    (error: unknown) => error instanceof SchemaRejectedError && error.code === 'SCHEMA_REJECTED',
  );
});

test('codec should refuse bytes that are not a record of ours', async (t) => {
  const codec = await codecFor(t);

  for (const bytes of [Buffer.from('{"event_id":"x"}'), Buffer.from([0, 0x7f, 0xff, 0xff, 0xff, 1]), null]) {
    await assert.rejects(codec.decode(bytes), RecordUndecodableError);
  }
});
