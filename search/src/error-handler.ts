import { PipelineError } from '@vsp/platform';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  QueryImageTooLargeError,
  QueryInvalidError,
  QueryMediaTypeUnsupportedError,
  SearchError,
  SearchInternalError,
} from './errors.js';

/** Fastify's and its multipart plugin's request errors, in our catalogue. */
function fromFastify(error: FastifyError): SearchError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new QueryImageTooLargeError('the image is larger than IMAGE_MAX_BYTES');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new QueryMediaTypeUnsupportedError(
        'send multipart/form-data with an `image` field, or an image/jpeg, image/png or image/webp body',
      );
    case 'FST_ERR_VALIDATION':
      return new QueryInvalidError(error.message);
    default:
      return undefined;
  }
}

/** Every error answer: {code, message}; our own words, never a stack trace. */
export function errorHandler(raw: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known = raw instanceof SearchError ? raw : fromFastify(raw);
  const error = known ?? (raw instanceof PipelineError && raw.httpStatus ? raw : new SearchInternalError());
  if (error instanceof SearchInternalError) request.log.error({ err: raw }, 'Unexpected error while searching');
  else if ((error.httpStatus ?? 500) >= 500) request.log.warn(error.message);
  const route = request.routeOptions.url ?? 'unknown';
  request.server.searchMetrics.requests.inc({ route, code: error.code });
  reply.code(error.httpStatus ?? 500).send({ code: error.code, message: error.message });
}
