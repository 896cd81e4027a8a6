import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignatureInvalidError } from '../errors.js';
import { WebhookSignature } from './signature.js';

const body = Buffer.from('{"event_type": "product.created", "data": {"title": "Телефон"}}');

test('signature should accept what the seed computes: openssl dgst -sha256 -hmac over the exact bytes', () => {
  // echo -n "$PAYLOAD" | openssl dgst -sha256 -hmac "your_webhook_secret"
  const verifier = new WebhookSignature(['your_webhook_secret']);
  verifier.verify(body, WebhookSignature.sign(body, 'your_webhook_secret'));
  verifier.verify(body, WebhookSignature.sign(body, 'your_webhook_secret').toUpperCase().replace('SHA256=', 'sha256='));
});

test('signature should reject a missing, malformed or wrong header with a reason, never throwing on length', () => {
  const verifier = new WebhookSignature(['your_webhook_secret']);
  const good = WebhookSignature.sign(body, 'your_webhook_secret');
  for (const [header, reason] of [
    [undefined, 'missing'],
    ['', 'missing'],
    ['sha256=abc', 'malformed'],
    [good.replace('sha256=', 'sha1='), 'malformed'],
    [`${good}00`, 'malformed'],
    [good.replace('sha256=', ''), 'malformed'],
    [WebhookSignature.sign(body, 'another_secret_entirely'), 'mismatch'],
    [WebhookSignature.sign(Buffer.concat([body, Buffer.from(' ')]), 'your_webhook_secret'), 'mismatch'],
  ] as const) {
    assert.throws(
      () => verifier.verify(body, header),
      (error: unknown) => error instanceof SignatureInvalidError && error.reason === reason && error.httpStatus === 401,
      `${header} should be ${reason}`,
    );
  }
});

test('signature should accept every configured secret while one is being rotated', () => {
  const verifier = new WebhookSignature(['old_secret_0123456789', 'new_secret_0123456789']);

  verifier.verify(body, WebhookSignature.sign(body, 'old_secret_0123456789'));
  verifier.verify(body, WebhookSignature.sign(body, 'new_secret_0123456789'));
  assert.throws(() => verifier.verify(body, WebhookSignature.sign(body, 'retired_secret_0123')), SignatureInvalidError);
});
