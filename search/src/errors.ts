import { PipelineError } from '@vsp/platform';

export const SEARCH_ERROR_CODES = [
  'UNAUTHORIZED',
  'IMAGE_MISSING',
  'QUERY_INVALID',
  'QUERY_IMAGE_TOO_LARGE',
  'QUERY_MEDIA_TYPE_UNSUPPORTED',
  'QUERY_IMAGE_UNDECODABLE',
  'PRODUCT_NOT_FOUND',
  'INDEX_UNAVAILABLE',
  'NOT_FOUND',
  'SEARCH_INTERNAL',
] as const;
export type SearchErrorCode = (typeof SEARCH_ERROR_CODES)[number];

/** Base of every error the search service answers with; the status is data on the class. */
export abstract class SearchError extends PipelineError {
  declare readonly code: SearchErrorCode;
  declare readonly httpStatus: number;
}

export class UnauthorizedError extends SearchError {
  static override readonly code: SearchErrorCode = 'UNAUTHORIZED';
  static override readonly httpStatus = 401;
  constructor() {
    super('Authorization: Bearer <SEARCH_API_KEY> is required');
  }
}

export class ImageMissingError extends SearchError {
  static override readonly code: SearchErrorCode = 'IMAGE_MISSING';
  static override readonly httpStatus = 400;
}

/** k or a filter is out of bounds or not a number. */
export class QueryInvalidError extends SearchError {
  static override readonly code: SearchErrorCode = 'QUERY_INVALID';
  static override readonly httpStatus = 400;
}

/** Over IMAGE_MAX_BYTES, or more pixels than IMAGE_MAX_PIXELS (a decompression bomb). */
export class QueryImageTooLargeError extends SearchError {
  static override readonly code: SearchErrorCode = 'QUERY_IMAGE_TOO_LARGE';
  static override readonly httpStatus = 413;
}

export class QueryMediaTypeUnsupportedError extends SearchError {
  static override readonly code: SearchErrorCode = 'QUERY_MEDIA_TYPE_UNSUPPORTED';
  static override readonly httpStatus = 415;
}

export class QueryImageUndecodableError extends SearchError {
  static override readonly code: SearchErrorCode = 'QUERY_IMAGE_UNDECODABLE';
  static override readonly httpStatus = 422;
}

export class ProductNotFoundError extends SearchError {
  static override readonly code: SearchErrorCode = 'PRODUCT_NOT_FOUND';
  static override readonly httpStatus = 404;
}

/** No version serves yet, Qdrant is down, or the serving version's model cannot be opened here. */
export class IndexUnavailableError extends SearchError {
  static override readonly code: SearchErrorCode = 'INDEX_UNAVAILABLE';
  static override readonly httpStatus = 503;
  static override readonly retriable = true;
}

export class NotFoundError extends SearchError {
  static override readonly code: SearchErrorCode = 'NOT_FOUND';
  static override readonly httpStatus = 404;
}

export class SearchInternalError extends SearchError {
  static override readonly code: SearchErrorCode = 'SEARCH_INTERNAL';
  static override readonly httpStatus = 500;
  constructor() {
    super('Internal error');
  }
}
