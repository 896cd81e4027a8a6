import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestIngress, webhookBody } from '@vsp/ingress/testing';
import { confluentPython, ensureInfra } from '@vsp/test-harness';

const script = fileURLToPath(new URL('../python/decode_product_events.py', import.meta.url));

test("Confluent's own Python deserializer should read what the ingress wrote, through the registry", async (t) => {
  const python = await confluentPython();
  const ingress = await startTestIngress(t);
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const body = JSON.stringify(webhookBody('product.created', { product_id: 'py-1', price: 15000.5 }));
  assert.equal((await ingress.post(body)).status, 200);

  const { stdout } = await promisify(execFile)(python, [
    script,
    kafkaBrokers.join(','),
    schemaRegistryUrl,
    ingress.config.PRODUCT_EVENTS_TOPIC,
    '1',
  ]);
  const [record] = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

  assert.equal(record.key, 'py-1');
  assert.equal(record.value.event_type, 'product.created');
  assert.equal(record.value.data.title, 'Название товара');
  assert.equal(record.value.data.price, '15000.5000');
  assert.equal(record.value.raw_body, body);
});
