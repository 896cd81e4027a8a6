import type { FieldProblem } from '@vsp/schemas';

export const INGRESS_ERROR_CODES = [
  'SIGNATURE_INVALID',
  'BODY_MALFORMED',
  'PAYLOAD_INVALID',
  'MEDIA_TYPE_UNSUPPORTED',
  'BODY_TOO_LARGE',
  'EVENT_LOG_UNAVAILABLE',
  'SHUTTING_DOWN',
  'INTERNAL',
] as const;
export type IngressErrorCode = (typeof INGRESS_ERROR_CODES)[number];

/**
 * Base of every error the ingress answers with. The HTTP status and whether the marketplace
 * should retry are data on the class, so the error handler never reads messages.
 */
export abstract class IngressError extends Error {
  abstract readonly code: IngressErrorCode;
  abstract readonly httpStatus: number;
  /** True when the same request may succeed later (the marketplace should retry). */
  readonly retriable: boolean = false;
  override name = 'IngressError';

  /** Extra fields for the response body; never secrets or stack traces. */
  detail(): unknown {
    return undefined;
  }
}

export class SignatureInvalidError extends IngressError {
  readonly code = 'SIGNATURE_INVALID';
  readonly httpStatus = 401;
  constructor(readonly reason: 'missing' | 'malformed' | 'mismatch') {
    super(
      reason === 'missing'
        ? 'Invalid webhook signature: X-Webhook-Signature header is missing'
        : reason === 'malformed'
          ? 'Invalid webhook signature: expected X-Webhook-Signature: sha256=<64 hex digits>'
          : 'Invalid webhook signature',
    );
  }
}

export class BodyMalformedError extends IngressError {
  readonly code = 'BODY_MALFORMED';
  readonly httpStatus = 400;
}

export class PayloadRejectedError extends IngressError {
  readonly code = 'PAYLOAD_INVALID';
  readonly httpStatus = 422;
  constructor(readonly problems: readonly FieldProblem[]) {
    super('The webhook body does not match the event schema');
  }

  /** FastAPI's shape, which the original service answered with: loc / msg / type. */
  override detail(): unknown {
    return this.problems.map((p) => ({ loc: ['body', ...p.path], msg: p.message, type: p.kind }));
  }
}

export class MediaTypeUnsupportedError extends IngressError {
  readonly code = 'MEDIA_TYPE_UNSUPPORTED';
  readonly httpStatus = 415;
}

export class BodyTooLargeError extends IngressError {
  readonly code = 'BODY_TOO_LARGE';
  readonly httpStatus = 413;
}

/** Kafka or the registry cannot take the event now; nothing was acknowledged, so retry. */
export class EventLogUnavailableError extends IngressError {
  readonly code = 'EVENT_LOG_UNAVAILABLE';
  readonly httpStatus = 503;
  override readonly retriable = true;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class ShuttingDownError extends IngressError {
  readonly code = 'SHUTTING_DOWN';
  readonly httpStatus = 503;
  override readonly retriable = true;
  constructor() {
    super('The ingress is shutting down; retry shortly');
  }
}

export class InternalError extends IngressError {
  readonly code = 'INTERNAL';
  readonly httpStatus = 500;
  constructor() {
    super('Internal error');
  }
}
