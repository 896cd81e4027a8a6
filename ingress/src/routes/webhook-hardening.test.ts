import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { rawHttpExchange, waitFor } from '@vsp/test-harness';
import { startTestIngress, TEST_SECRET, type TestIngress, webhookBody } from '../testing/index.js';
import { WebhookSignature } from '../webhook/signature.js';

interface Refusal {
  code: string;
  detail?: { loc: string[]; type: string }[];
}

async function refused(ingress: TestIngress, body: string | Buffer, status: number): Promise<Refusal> {
  const response = await ingress.post(body);
  assert.equal(response.status, status, await response.clone().text());
  return (await response.json()) as Refusal;
}

const fields = (refusal: Refusal) => (refusal.detail ?? []).map((d) => `${d.loc.slice(1).join('.')}:${d.type}`).sort();

/** Sends a signed request's headers and the first `sent` bytes of its body over a raw socket. */
async function partialRequest(ingress: TestIngress, sent: number) {
  const body = JSON.stringify(webhookBody());
  const socket = connect(Number(new URL(ingress.url).port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    [
      'POST /api/v1/webhooks/bakai HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Webhook-Signature: ${WebhookSignature.sign(body, TEST_SECRET)}`,
      '',
      body.slice(0, sent),
    ].join('\r\n'),
  );
  return { socket, body };
}

test('ingress should refuse event times that do not exist, lie far ahead or before the floor with 422', async (t) => {
  const ingress = await startTestIngress(t);
  const at = (timestamp: string) => JSON.stringify(webhookBody('product.updated', {}, { timestamp }));

  assert.deepEqual(fields(await refused(ingress, at('9999-12-31T23:59:59Z'), 422)), ['timestamp:future']);
  assert.deepEqual(fields(await refused(ingress, at('2025-02-30T10:00:00Z'), 422)), ['timestamp:format']);
  assert.deepEqual(fields(await refused(ingress, at('0001-01-01T00:00:00Z'), 422)), ['timestamp:too_early']);
  assert.deepEqual(fields(await refused(ingress, at('1969-07-20T20:17:00Z'), 422)), ['timestamp:too_early']);
  assert.equal((await ingress.post(at(new Date(Date.now() + 60_000).toISOString()))).status, 200, 'a minute of skew');
});

test('ingress should refuse control characters in ids and text with 422 naming the field', async (t) => {
  const ingress = await startTestIngress(t);

  const nul = await refused(ingress, JSON.stringify(webhookBody('product.created', { title: 'Телефон\u0000' })), 422);
  const forged = await refused(
    ingress,
    JSON.stringify(
      webhookBody('product.created', { product_id: '1\n2025-11-12 10:00:00 | INFO | Product created successfully: 1' }),
    ),
    422,
  );

  assert.equal(nul.code, 'PAYLOAD_INVALID');
  assert.deepEqual(fields(nul), ['data.title:control_character']);
  assert.deepEqual(fields(forged), ['data.product_id:control_character']);
});

test('ingress should refuse a price JSON cannot carry exactly rather than store another one', async (t) => {
  const ingress = await startTestIngress(t);
  const body = JSON.stringify(webhookBody('product.updated', { price: 1 })).replace(
    '"price":1',
    '"price":123456789012345678',
  );

  assert.deepEqual(fields(await refused(ingress, body, 422)), ['data.price:format']);
});

test('ingress should answer 400 for a body that is not UTF-8', async (t) => {
  const ingress = await startTestIngress(t);
  const [before, after] = JSON.stringify(webhookBody('product.created', { title: 'X' })).split('"X"');
  const body = Buffer.concat([Buffer.from(`${before}"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(`"${after}`)]);

  const refusal = await refused(ingress, body, 400);

  assert.equal(refusal.code, 'BODY_MALFORMED');
});

test('ingress should answer 408 and close a connection whose body trickles in slower than REQUEST_TIMEOUT_MS', async (t) => {
  const ingress = await startTestIngress(t, { REQUEST_TIMEOUT_MS: '2000' });
  const { socket, body } = await partialRequest(ingress, 10);
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString();
  });
  const trickle = setInterval(() => {
    if (!socket.destroyed) socket.write(body.charAt(10));
  }, 500);
  t.after(() => clearInterval(trickle));

  await once(socket, 'close');

  assert.match(received, /^HTTP\/1\.1 408/);
  assert.deepEqual(JSON.parse(received.split('\r\n\r\n')[1] as string), {
    success: false,
    code: 'HTTP_REQUEST_TIMEOUT',
    message: 'the request did not arrive in time',
  });
});

test('ingress should refuse a request Node cannot parse (raw non-ASCII in the URL) with 400 in its own error shape', async (t) => {
  const ingress = await startTestIngress(t);

  const { status, body } = await rawHttpExchange(
    ingress.url,
    Buffer.from('GET /api/v1/health?q=Обувь HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
  );

  assert.equal(status, 400);
  assert.equal(JSON.parse(body).code, 'HTTP_REQUEST_MALFORMED');
  assert.match(JSON.parse(body).message, /percent-encode/);
  assert.equal(JSON.parse(body).success, false);
});

test('ingress should count a client that hangs up mid-body as an abort, not a server error', async (t) => {
  const ingress = await startTestIngress(t, { LOG_LEVEL: 'info' });
  const { socket } = await partialRequest(ingress, 20);

  socket.destroy();
  await waitFor(
    async () => (await ingress.app.metrics.rejections.get()).values.some((v) => v.labels.code === 'CLIENT_ABORTED'),
    { description: 'the abort to be counted' },
  );

  const rejections = (await ingress.app.metrics.rejections.get()).values;
  assert.ok(!rejections.some((v) => v.labels.code === 'INTERNAL'));
  assert.ok(!ingress.logs().some((line) => line.level >= 50), 'nothing logged as an error');
});
