import { PipelineError } from '@vsp/platform';

export const VECTOR_INDEX_ERROR_CODES = [
  'IMAGE_KEY_INVALID',
  'IMAGE_NOT_FOUND',
  'IMAGE_REFUSED',
  'IMAGE_UNDECODABLE',
  'IMAGE_TOO_LARGE',
  'IMAGE_HOST_UNAVAILABLE',
  'MODEL_INVALID',
  'MODEL_UNAVAILABLE',
  'INFERENCE_WORKER_EXITED',
  'MODEL_MISMATCH',
  'MODEL_CLOSED',
  'INDEX_VERSION_UNKNOWN',
  'INDEX_VERSION_REFUSED',
] as const;
export type VectorIndexErrorCode = (typeof VECTOR_INDEX_ERROR_CODES)[number];

/**
 * Base of every error the vector index raises: images that cannot be had or read, models that
 * cannot be made or loaded, versions that do not exist or may not serve. The processors decide from
 * `retriable` alone (retry, or dead-letter with `code` as the reason); the search service from
 * `httpStatus` where it sets one.
 */
export abstract class VectorIndexError extends PipelineError {
  declare readonly code: VectorIndexErrorCode;
}

/** image_key is not a plain relative path (scheme, leading slash, "..", control characters). */
export class ImageKeyInvalidError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'IMAGE_KEY_INVALID';
}

/** The image host answered 404 or 410. */
export class ImageNotFoundError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'IMAGE_NOT_FOUND';
}

/** The image host refused for good (403, 415, other 4xx) or sent something that is not an image type. */
export class ImageRefusedError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'IMAGE_REFUSED';
}

/** The bytes are not an image sharp can decode. */
export class ImageUndecodableError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'IMAGE_UNDECODABLE';
}

/** Over the byte cap, or more pixels than allowed (a decompression bomb). */
export class ImageTooLargeError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'IMAGE_TOO_LARGE';
}

/** The image host is down, slow, or answered 5xx/429: try again later. */
export class ImageHostUnavailableError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'IMAGE_HOST_UNAVAILABLE';
  static override readonly retriable = true;
  /** What /health names as failing: the image host, not the sink. */
  readonly dependency = 'image-host';
}

/** MODEL_DIR holds neither our manifest layout nor Immich's CLIP layout, or the model does not load. */
export class ModelInvalidError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'MODEL_INVALID';
}

/** A pretrained model could not be fetched (no network, no pip): the message says what to set instead. */
export class ModelUnavailableError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'MODEL_UNAVAILABLE';
}

/**
 * The inference worker thread died; the embeds it held fail with this and a new worker is
 * started for the next batch. Retriable: the batch is tried again on the new worker.
 */
export class InferenceWorkerExitedError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'INFERENCE_WORKER_EXITED';
  static override readonly retriable = true;
}

/** A collection's vectors came from another model than the one offered to read or write them. */
export class ModelMismatchError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'MODEL_MISMATCH';
}

/** No collection of that name behind the alias. */
export class IndexVersionUnknownError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'INDEX_VERSION_UNKNOWN';
}

/** The operation would leave searches on an incomplete collection or with none. */
export class IndexVersionRefusedError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'INDEX_VERSION_REFUSED';
}

/** The model was closed: nothing more is embedded with it. */
export class ModelClosedError extends VectorIndexError {
  static override readonly code: VectorIndexErrorCode = 'MODEL_CLOSED';
  constructor() {
    super('the model is closed');
  }
}
