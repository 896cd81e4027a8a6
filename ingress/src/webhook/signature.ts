import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureInvalidError } from '../errors.js';

const HEADER_FORMAT = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>. Several secrets may be
 * active at once, so a secret can be rotated without downtime: old and new both verify until the
 * old one is removed.
 */
export class WebhookSignature {
  readonly #secrets: readonly Buffer[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('at least one webhook secret is required');
    this.#secrets = secrets.map((secret) => Buffer.from(secret, 'utf8'));
  }

  /** Throws SignatureInvalidError unless one of the secrets produced `header` over `body`. */
  verify(body: Buffer, header: string | string[] | undefined): void {
    if (header === undefined || header === '') throw new SignatureInvalidError('missing');
    const match = typeof header === 'string' ? HEADER_FORMAT.exec(header.trim()) : null;
    if (!match?.[1]) throw new SignatureInvalidError('malformed');
    // Both sides are 32 bytes by construction, so timingSafeEqual cannot throw on length.
    const given = Buffer.from(match[1], 'hex');
    let valid = false;
    for (const secret of this.#secrets) {
      // No early exit: every secret is checked, so timing does not reveal which one matched.
      valid = timingSafeEqual(createHmac('sha256', secret).update(body).digest(), given) || valid;
    }
    if (!valid) throw new SignatureInvalidError('mismatch');
  }

  /** What BakaiMarket computes; used by `npm run webhook:test` and the tests. */
  static sign(body: Buffer | string, secret: string): string {
    return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  }
}
