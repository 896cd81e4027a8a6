import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProductEventCodec } from '@vsp/schemas';
import { readRecords } from '@vsp/test-harness';
import { startTestIngress, webhookBody } from '../testing/index.js';

test('ingress should answer 200 only with a task_id that locates the record on the topic', async (t) => {
  const ingress = await startTestIngress(t);
  const body = JSON.stringify(webhookBody('product.created', { product_id: '777' }));

  const response = await ingress.post(body);
  const answer = (await response.json()) as Record<string, string>;

  assert.equal(response.status, 200);
  assert.deepEqual(Object.keys(answer), ['success', 'message', 'event_id', 'task_id']);
  assert.equal(answer.message, 'Webhook received and queued for processing');
  const [topic, partition, offset] = String(answer.task_id).split('/');
  assert.equal(topic, ingress.config.PRODUCT_EVENTS_TOPIC);
  const [record] = await readRecords(t, ingress.config.PRODUCT_EVENTS_TOPIC, 1);
  assert.ok(record);
  assert.equal(String(record.partition), partition);
  assert.equal(record.offset, offset);
  assert.equal(String(record.key), '777');
  assert.equal(record.headers.event_type, 'product.created');
  assert.equal(record.headers.event_id, answer.event_id);
  assert.ok(record.headers.received_at);
});

test('ingress should keep every field, Cyrillic text, the exact price and the exact bytes of a re-formatted body', async (t) => {
  const ingress = await startTestIngress(t);
  // Python's json.dumps style: spaces after ':' and ',', non-ASCII escaped, plus an unknown field.
  const body = JSON.stringify(webhookBody('product.updated', { price: 19.99, seller: 'ОсОО Бакай' }), null, 1).replace(
    /[\u0400-\u04ff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

  const response = await ingress.post(body);

  assert.equal(response.status, 200);
  const [record] = await readRecords(t, ingress.config.PRODUCT_EVENTS_TOPIC, 1);
  const codec = await ProductEventCodec.register({
    registryUrl: ingress.config.SCHEMA_REGISTRY_URL,
    subject: `${ingress.config.PRODUCT_EVENTS_TOPIC}-value`,
  });
  const event = await codec.decode(record?.value ?? null);
  assert.equal(event.event_type, 'product.updated');
  assert.equal(event.data.title, 'Название товара');
  assert.equal(event.data.price, '19.99');
  assert.equal(event.occurred_at, Date.UTC(2025, 10, 12, 10));
  assert.equal(event.raw_body.toString('utf8'), body);
});

test('ingress should refuse bad signatures with 401 before reading the body', async (t) => {
  const ingress = await startTestIngress(t);
  const body = JSON.stringify(webhookBody());

  const cases = [
    await ingress.post(body, { secret: 'not-the-secret-0123456789' }),
    await ingress.post(body, { headers: { 'x-webhook-signature': 'sha256=nothex' } }),
    await ingress.post('this is not json', { secret: 'not-the-secret-0123456789' }),
    await fetch(`${ingress.url}/api/v1/webhooks/bakai`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }),
  ];

  for (const response of cases) {
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, 'SIGNATURE_INVALID');
  }
});

test('ingress should accept both secrets while the secret is rotated', async (t) => {
  const ingress = await startTestIngress(t, { WEBHOOK_SECRET: 'old-secret-0123456789abc,new-secret-0123456789abc' });
  const body = JSON.stringify(webhookBody());

  assert.equal((await ingress.post(body, { secret: 'old-secret-0123456789abc' })).status, 200);
  assert.equal((await ingress.post(body, { secret: 'new-secret-0123456789abc' })).status, 200);
  assert.equal((await ingress.post(body, { secret: 'older-secret-0123456789ab' })).status, 401);
});

test('ingress should answer 400 for a body that is not a JSON object', async (t) => {
  const ingress = await startTestIngress(t);

  for (const body of ['{"event_type": ', '[1, 2]', '"product.created"', '']) {
    const response = await ingress.post(body);
    assert.equal(response.status, 400, body);
    assert.equal(((await response.json()) as { code: string }).code, 'BODY_MALFORMED');
  }
});

test('ingress should answer 422 naming each field that breaks the schema', async (t) => {
  const ingress = await startTestIngress(t);
  const body = webhookBody('product.renamed', { price: 'дорого' });
  delete (body.data as Record<string, unknown>).product_id;

  const response = await ingress.post(JSON.stringify(body));
  const answer = (await response.json()) as { code: string; detail: { loc: string[]; type: string }[] };

  assert.equal(response.status, 422);
  assert.equal(answer.code, 'PAYLOAD_INVALID');
  assert.deepEqual(answer.detail.map((d) => d.loc.join('.')).sort(), [
    'body.data.price',
    'body.data.product_id',
    'body.event_type',
  ]);
});

test('ingress should answer 413 over the body limit and 415 for a body that is not JSON', async (t) => {
  const ingress = await startTestIngress(t, { WEBHOOK_BODY_LIMIT_BYTES: '2048' });

  const large = await ingress.post(JSON.stringify(webhookBody('product.created', { description: 'я'.repeat(2_000) })));
  const text = await ingress.post('event_type=product.created', { headers: { 'content-type': 'text/plain' } });

  assert.equal(large.status, 413);
  assert.equal(((await large.json()) as { code: string }).code, 'BODY_TOO_LARGE');
  assert.equal(text.status, 415);
  assert.equal(((await text.json()) as { code: string }).code, 'MEDIA_TYPE_UNSUPPORTED');
});

test('ingress should give every concurrent request its own acknowledged record', async (t) => {
  const ingress = await startTestIngress(t);
  const count = 300;

  const answers = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await ingress.post(JSON.stringify(webhookBody('product.created', { product_id: `p${i % 37}` })));
      assert.equal(response.status, 200);
      return ((await response.json()) as { task_id: string }).task_id;
    }),
  );

  const records = await readRecords(t, ingress.config.PRODUCT_EVENTS_TOPIC, count);
  const located = new Set(records.map((r) => `${ingress.config.PRODUCT_EVENTS_TOPIC}/${r.partition}/${r.offset}`));
  assert.equal(new Set(answers).size, count);
  assert.deepEqual(new Set(answers), located);
});

test('ingress should serve the seed health answer and its metrics', async (t) => {
  const ingress = await startTestIngress(t);
  await ingress.post(JSON.stringify(webhookBody()));
  await ingress.post('{}', { secret: 'wrong-secret-0123456789ab' });

  const health = await fetch(`${ingress.url}/api/v1/webhooks/health`);
  const metrics = await (await fetch(`${ingress.url}/api/v1/metrics`)).text();

  assert.equal(
    await health.text(),
    '{"status":"healthy","service":"webhooks","message":"Webhook endpoint is ready to receive events"}',
  );
  assert.match(metrics, /^visual_search_webhooks_total\{event_type="product.created"\} 1$/m);
  assert.match(metrics, /^visual_search_webhooks_errors_total\{event_type="unknown"\} 1$/m);
  assert.match(metrics, /^visual_search_webhook_processing_duration_seconds_count\{event_type="product.created"\} 1$/m);
  assert.equal((await fetch(`${ingress.url}/api/v1/health`)).status, 200);
  assert.equal((await fetch(`${ingress.url}/api/v1/ready`)).status, 200);
});
