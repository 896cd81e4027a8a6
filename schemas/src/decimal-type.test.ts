import assert from 'node:assert/strict';
import { test } from 'node:test';
import avro from 'avsc';
import { DecimalType } from './decimal-type.js';

const money = avro.Type.forSchema(
  { type: 'bytes', logicalType: 'decimal', precision: 22, scale: 4 },
  { logicalTypes: { decimal: DecimalType } },
);

test('decimal should round-trip prices exactly, without trailing zeros', () => {
  for (const [input, expected] of [
    ['15000', '15000'],
    ['15000.0', '15000'],
    ['19.99', '19.99'],
    ['0.0001', '0.0001'],
    ['-5.5', '-5.5'],
    ['0', '0'],
    ['999999999999999999.9999', '999999999999999999.9999'],
  ]) {
    assert.equal(money.fromBuffer(money.toBuffer(input)), expected, input);
  }
});

test('decimal should refuse values it cannot hold exactly', () => {
  for (const input of ['1.00001', '1e5', 'abc', '1000000000000000000', 15000]) {
    assert.equal(money.isValid(input), false, String(input));
  }
});
