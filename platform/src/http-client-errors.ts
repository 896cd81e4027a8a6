import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  HttpHeadersTooLargeError,
  HttpRequestMalformedError,
  HttpRequestTimeoutError,
  type PipelineError,
} from './errors.js';

/** What Node's HTTP parser refused, in our catalogue. */
function refusalOf(error: NodeJS.ErrnoException): PipelineError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpRequestTimeoutError('the request did not arrive in time');
    case 'HPE_HEADER_OVERFLOW':
      return new HttpHeadersTooLargeError('the request headers are too large');
    case 'HPE_INVALID_URL':
      return new HttpRequestMalformedError(
        'the URL is not valid HTTP: percent-encode characters outside ASCII (curl -G --data-urlencode name=value)',
      );
    default:
      return new HttpRequestMalformedError(`the request is not valid HTTP (${error.code ?? error.message})`);
  }
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses before any route sees them
 * (raw non-ASCII bytes in the URL, a malformed header, headers too large, a request too slow) get
 * the service's own error body, `bodyOf` the refusal, instead of Fastify's
 * `{error, message, statusCode}`; then the connection closes, since its stream cannot be trusted.
 */
export function clientErrorHandler(bodyOf: (refusal: PipelineError) => object) {
  return (error: NodeJS.ErrnoException, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const refusal = refusalOf(error);
    const body = JSON.stringify(bodyOf(refusal));
    socket.end(
      `HTTP/1.1 ${refusal.httpStatus} ${STATUS_CODES[refusal.httpStatus as number]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  };
}
