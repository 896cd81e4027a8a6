import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '@vsp/test-harness';
import { JsonBody } from './json-body.js';

function parsed(body: JsonBody): unknown {
  return JSON.parse(Buffer.from(body.bytes).toString('utf8'));
}

test('a JSON body should carry every float32 so that it parses back to the same value', () => {
  const random = seededRandom(7);
  // Every binary exponent a float32 has, subnormals included, with both signs.
  const values = Float32Array.from({ length: 50_000 }, (_, i) => {
    const magnitude = 2 ** (Math.floor(random() * 277) - 149) * (1 + random());
    return i % 2 === 0 ? magnitude : -magnitude;
  });
  values.set([0, 1, -1, 0.1, 3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38], 0);

  const numbers = parsed(new JsonBody().floats(values)) as number[];

  assert.equal(numbers.length, values.length);
  const differing = numbers.filter((number, i) => Math.fround(number) !== values[i]);
  assert.deepEqual(differing, []);
});

test('a JSON body should join its parts into one document, text in UTF-8', () => {
  const body = new JsonBody()
    .raw('{"payload":')
    .json({ title: 'Кроссовки «Бакай»', price: 1200 })
    .raw(',"vector":')
    .floats(Float32Array.of(0.5, -0.25))
    .raw('}');

  assert.deepEqual(parsed(body), { payload: { title: 'Кроссовки «Бакай»', price: 1200 }, vector: [0.5, -0.25] });
});

test('a JSON body should grow past its first buffer without losing what it holds', () => {
  const body = new JsonBody().raw('[');
  const vector = Float32Array.from({ length: 1280 }, (_, i) => i / 1280);
  for (let i = 0; i < 64; i++) body.raw(i === 0 ? '' : ',').floats(vector);

  const vectors = parsed(body.raw(']')) as number[][];

  assert.equal(vectors.length, 64);
  assert.ok(vectors.every((numbers) => numbers.every((number, i) => Math.fround(number) === vector[i])));
});

test('a JSON body should refuse a vector holding a value JSON cannot carry', () => {
  assert.throws(() => new JsonBody().floats(Float32Array.of(1, Number.NaN)), /a vector holds NaN/);
  assert.throws(() => new JsonBody().floats(Float32Array.of(Number.POSITIVE_INFINITY)), /Infinity/);
});
