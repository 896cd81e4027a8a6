export const PLATFORM_ERROR_CODES = [
  'SINK_UNAVAILABLE',
  'SINK_REJECTED',
  'CONFIG_INVALID',
  'WAIT_TIMEOUT',
  'PACKAGE_UNAVAILABLE',
  'PACKAGE_FILE_MISMATCH',
  'HTTP_REQUEST_MALFORMED',
  'HTTP_HEADERS_TOO_LARGE',
  'HTTP_REQUEST_TIMEOUT',
] as const;
export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number];

/** What a subclass states about itself, as static members read once per instance. */
interface ErrorClass {
  readonly code: string;
  readonly retriable: boolean;
  readonly httpStatus?: number | undefined;
}

/**
 * Base of every error the pipeline raises on purpose, in every package. Decisions read these
 * fields, never the message: `retriable` (retry with backoff, or dead-letter / refuse),
 * `httpStatus` (the ingress's answer), `code` (the DLQ reason, metrics labels, test assertions).
 * A subclass states them as static members (`static readonly code = 'SINK_UNAVAILABLE'`), so a
 * test can compare with `SinkUnavailableError.code`; each instance carries them as its own
 * fields, so they reach the logs.
 */
export abstract class PipelineError extends Error {
  static readonly code: string;
  static readonly retriable: boolean = false;
  static readonly httpStatus: number | undefined = undefined;
  readonly code: string;
  readonly retriable: boolean;
  readonly httpStatus: number | undefined;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    const type = new.target as unknown as ErrorClass;
    this.name = new.target.name;
    this.code = type.code;
    this.retriable = type.retriable;
    this.httpStatus = type.httpStatus;
  }
}

/** Raised once, with every problem found, so an operator fixes the whole config in one go. */
export class ConfigError extends PipelineError {
  static override readonly code: PlatformErrorCode = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export class WaitTimeoutError extends PipelineError {
  static override readonly code: PlatformErrorCode = 'WAIT_TIMEOUT';
  constructor(description: string, timeoutMs: number, cause: unknown) {
    super(`timed out after ${timeoutMs} ms waiting for ${description}`, { cause });
  }
}

/** pip could not fetch a package (offline, no pip, no such version). */
export class PackageUnavailableError extends PipelineError {
  static override readonly code: PlatformErrorCode = 'PACKAGE_UNAVAILABLE';
}

/** A file of a fetched package is not the one expected: never used. */
export class PackageFileMismatchError extends PipelineError {
  static override readonly code: PlatformErrorCode = 'PACKAGE_FILE_MISMATCH';
}

/** The sink (database, vector store) is down or slow; the write may succeed later. */
export class SinkUnavailableError extends PipelineError {
  static override readonly code: PlatformErrorCode = 'SINK_UNAVAILABLE';
  static override readonly retriable = true;
}

/** The sink refused this data for good (a constraint or data error, Qdrant's 4xx). */
export class SinkRejectedError extends PipelineError {
  static override readonly code: PlatformErrorCode = 'SINK_REJECTED';
}

/** Node's HTTP parser refused the request before any route saw it (see http-client-errors.ts). */
export class HttpRequestMalformedError extends PipelineError {
  static override readonly code: PlatformErrorCode = 'HTTP_REQUEST_MALFORMED';
  static override readonly httpStatus = 400;
}

export class HttpHeadersTooLargeError extends PipelineError {
  static override readonly code: PlatformErrorCode = 'HTTP_HEADERS_TOO_LARGE';
  static override readonly httpStatus = 431;
}

/** The request's headers and body did not all arrive within the server's request timeout. */
export class HttpRequestTimeoutError extends PipelineError {
  static override readonly code: PlatformErrorCode = 'HTTP_REQUEST_TIMEOUT';
  static override readonly httpStatus = 408;
}
