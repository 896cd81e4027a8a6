import assert from 'node:assert/strict';
import { test } from 'node:test';
import { payloadValue, payloadValueFrom } from './point-messages.js';
import { ProtoReader, ProtoWriter } from './protobuf.js';

test('a payload value should come back as the same JSON: integers either side of zero, doubles, strings, lists and nested objects', () => {
  const payload = {
    product_id: 'p1',
    title: 'Товар «1» 👟',
    price_value: 15000.5,
    event_time: 1_762_941_600_000,
    below_zero: -42,
    far_below_zero: -(2 ** 53 - 1),
    largest: 2 ** 53 - 1,
    fraction: -0.125,
    deleted: false,
    searchable: true,
    deleted_at: null,
    versions: { title: '001762941600000|evt_1', empty: {} },
    tags: ['a', 1, null, { nested: [true] }],
  };

  assert.deepEqual(payloadValueFrom(payloadValue(payload)), payload);
});

test('a payload value should refuse what JSON cannot hold', () => {
  assert.throws(() => payloadValue({ when: () => 0 }), /cannot hold a function/);
});

test('protobuf fields should read back as written: varints, doubles, strings and packed floats', () => {
  const floats = Float32Array.from([0.1, -2.5e-38, 3.4e38, 1e-45]);
  const message = new ProtoWriter(4)
    .varint(1, 300)
    .varint(2, 2 ** 53 - 1)
    .varint(3, -1)
    .double(4, Math.PI)
    .string(5, 'ключ')
    .floats(6, floats).bytes;

  const read: { field: number; number: number; bytes: Buffer }[] = [];
  const reader = new ProtoReader(message);
  while (reader.next()) read.push({ field: reader.field, number: reader.number, bytes: reader.bytes });

  assert.deepEqual(read.map(({ field, number }) => [field, number]).slice(0, 4), [
    [1, 300],
    [2, 2 ** 53 - 1],
    [3, -1],
    [4, Math.PI],
  ]);
  assert.equal(read[4]?.bytes.toString('utf8'), 'ключ');
  const back = read[5]?.bytes as Buffer;
  assert.deepEqual(new Float32Array(back.buffer.slice(back.byteOffset, back.byteOffset + back.length)), floats);
});
