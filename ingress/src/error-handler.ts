import { PipelineError } from '@vsp/platform';
import { PayloadInvalidError } from '@vsp/schemas';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  BodyMalformedError,
  BodyTooLargeError,
  ClientAbortedError,
  EventLogUnavailableError,
  InternalError,
  MediaTypeUnsupportedError,
  ShuttingDownError,
  SignatureInvalidError,
} from './errors.js';

/** An error of ours that carries the status to answer with. */
type Answerable = PipelineError & { httpStatus: number };

const answerable = (error: unknown): error is Answerable =>
  error instanceof PipelineError && error.httpStatus !== undefined;

/** Fastify's own request errors, translated into our catalogue. */
function fromFastify(error: FastifyError, request: FastifyRequest): Answerable | undefined {
  // The body stream broke because the socket went away (the client, or our request timeout).
  if (error.code === 'ECONNRESET' || request.raw.destroyed) {
    return new ClientAbortedError('The client closed the connection before the whole body arrived');
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BodyTooLargeError(error.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new MediaTypeUnsupportedError('Content-Type must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BodyMalformedError(error.message);
    default:
      return undefined;
  }
}

/**
 * Every error answer has the same shape: {success: false, code, message[, detail]}. Messages are
 * our own, so no secret, stack or internal detail reaches the marketplace.
 */
export function errorHandler(raw: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const error = answerable(raw) ? raw : (fromFastify(raw, request) ?? new InternalError());
  if (error instanceof ClientAbortedError) {
    request.log.info(error.message);
  } else if (error instanceof InternalError) {
    request.log.error({ err: raw }, 'Unexpected error while handling a request');
  } else if (error instanceof SignatureInvalidError) {
    request.log.error(error.message);
  } else if (error.httpStatus < 500) {
    request.log.warn(`Webhook rejected (${error.httpStatus} ${error.code}): ${error.message}`);
  }
  request.server.metrics.rejections.inc({ code: error.code });
  if (error instanceof EventLogUnavailableError) reply.header('retry-after', String(error.retryAfterSeconds));
  if (error instanceof ShuttingDownError) reply.header('retry-after', '1');
  // FastAPI's shape, which the original service answered with: loc / msg / type.
  const detail =
    error instanceof PayloadInvalidError
      ? error.problems.map((p) => ({ loc: ['body', ...p.path], msg: p.message, type: p.kind }))
      : undefined;
  reply.code(error.httpStatus).send({
    success: false,
    code: error.code,
    message: error.message,
    ...(detail === undefined ? {} : { detail }),
  });
}
