import { PipelineError } from '@vsp/platform';

export const INGRESS_ERROR_CODES = [
  'SIGNATURE_INVALID',
  'BODY_MALFORMED',
  'MEDIA_TYPE_UNSUPPORTED',
  'BODY_TOO_LARGE',
  'CLIENT_ABORTED',
  'EVENT_LOG_UNAVAILABLE',
  'SHUTTING_DOWN',
  'INTERNAL',
  'TOPIC_REPLICATION_UNSATISFIABLE',
] as const;
export type IngressErrorCode = (typeof INGRESS_ERROR_CODES)[number];

/**
 * Base of every error the ingress answers with (an invalid event is @vsp/schemas'
 * PayloadInvalidError, 422). The HTTP status and whether the marketplace should retry are data
 * on the class, so the error handler never reads messages.
 */
export abstract class IngressError extends PipelineError {
  declare readonly code: IngressErrorCode;
  declare readonly httpStatus: number;
}

export class SignatureInvalidError extends IngressError {
  static override readonly code: IngressErrorCode = 'SIGNATURE_INVALID';
  static override readonly httpStatus = 401;
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
  static override readonly code: IngressErrorCode = 'BODY_MALFORMED';
  static override readonly httpStatus = 400;
}

export class MediaTypeUnsupportedError extends IngressError {
  static override readonly code: IngressErrorCode = 'MEDIA_TYPE_UNSUPPORTED';
  static override readonly httpStatus = 415;
}

export class BodyTooLargeError extends IngressError {
  static override readonly code: IngressErrorCode = 'BODY_TOO_LARGE';
  static override readonly httpStatus = 413;
}

/**
 * The client closed the connection, or was cut off by REQUEST_TIMEOUT_MS, before its body
 * arrived: nothing to answer and nothing wrong on our side.
 */
export class ClientAbortedError extends IngressError {
  static override readonly code: IngressErrorCode = 'CLIENT_ABORTED';
  static override readonly httpStatus = 400;
}

/** Kafka or the registry cannot take the event now; nothing was acknowledged, so retry. */
export class EventLogUnavailableError extends IngressError {
  static override readonly code: IngressErrorCode = 'EVENT_LOG_UNAVAILABLE';
  static override readonly httpStatus = 503;
  static override readonly retriable = true;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class ShuttingDownError extends IngressError {
  static override readonly code: IngressErrorCode = 'SHUTTING_DOWN';
  static override readonly httpStatus = 503;
  static override readonly retriable = true;
  constructor() {
    super('The ingress is shutting down; retry shortly');
  }
}

export class InternalError extends IngressError {
  static override readonly code: IngressErrorCode = 'INTERNAL';
  static override readonly httpStatus = 500;
  constructor() {
    super('Internal error');
  }
}

/**
 * The topics would be created with more replicas than the cluster has brokers: a setting to fix,
 * not an outage to wait out, so the ingress stops instead of answering 503 forever.
 */
export class TopicReplicationError extends IngressError {
  static override readonly code: IngressErrorCode = 'TOPIC_REPLICATION_UNSATISFIABLE';
  static override readonly httpStatus = 503;
}
