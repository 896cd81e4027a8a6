export const PROCESSOR_ERROR_CODES = [
  'EVENT_INVALID',
  'SINK_UNAVAILABLE',
  'SINK_REJECTED',
  'PROCESSOR_CLOSED',
  'IMAGE_KEY_INVALID',
  'IMAGE_NOT_FOUND',
  'IMAGE_REFUSED',
  'IMAGE_UNDECODABLE',
  'IMAGE_TOO_LARGE',
  'IMAGE_HOST_UNAVAILABLE',
  'MODEL_INVALID',
] as const;
export type ProcessorErrorCode = (typeof PROCESSOR_ERROR_CODES)[number];

/**
 * Base of every error the processors raise. The runtime decides from `retriable` alone: a
 * retriable error is retried with backoff and never dead-lettered; anything else is permanent
 * and goes to the DLQ with `code` as its reason. Decoding errors come from @vsp/schemas'
 * catalogue (RECORD_UNDECODABLE, SCHEMA_REGISTRY_UNAVAILABLE), which carries the same flag.
 */
export abstract class ProcessorError extends Error {
  abstract readonly code: ProcessorErrorCode;
  abstract readonly retriable: boolean;
  override name = 'ProcessorError';
}

/** The record decodes but its content breaks the event contract. */
export class EventInvalidError extends ProcessorError {
  readonly code = 'EVENT_INVALID';
  readonly retriable = false;
}

/** The sink (database, vector store) is down or slow; the write may succeed later. */
export class SinkUnavailableError extends ProcessorError {
  readonly code = 'SINK_UNAVAILABLE';
  readonly retriable = true;
}

/** The sink refused this data for good (a constraint or data error). */
export class SinkRejectedError extends ProcessorError {
  readonly code = 'SINK_REJECTED';
  readonly retriable = false;
}

export class ProcessorClosedError extends ProcessorError {
  readonly code = 'PROCESSOR_CLOSED';
  readonly retriable = false;
  constructor() {
    super('the processor is closed');
  }
}

/** image_key is not a plain relative path (scheme, leading slash, "..", control characters). */
export class ImageKeyInvalidError extends ProcessorError {
  readonly code = 'IMAGE_KEY_INVALID';
  readonly retriable = false;
}

/** The image host answered 404 or 410. */
export class ImageNotFoundError extends ProcessorError {
  readonly code = 'IMAGE_NOT_FOUND';
  readonly retriable = false;
}

/** The image host refused for good (403, 415, other 4xx) or sent something that is not an image type. */
export class ImageRefusedError extends ProcessorError {
  readonly code = 'IMAGE_REFUSED';
  readonly retriable = false;
}

/** The bytes are not an image sharp can decode. */
export class ImageUndecodableError extends ProcessorError {
  readonly code = 'IMAGE_UNDECODABLE';
  readonly retriable = false;
}

/** Over the byte cap, or more pixels than allowed (a decompression bomb). */
export class ImageTooLargeError extends ProcessorError {
  readonly code = 'IMAGE_TOO_LARGE';
  readonly retriable = false;
}

/** The image host is down, slow, or answered 5xx/429: try again later. */
export class ImageHostUnavailableError extends ProcessorError {
  readonly code = 'IMAGE_HOST_UNAVAILABLE';
  readonly retriable = true;
  /** What /health names as failing: the image host, not the sink. */
  readonly dependency = 'image-host';
}

/** MODEL_DIR holds neither our manifest layout nor Immich's CLIP layout, or the model does not load. */
export class ModelInvalidError extends ProcessorError {
  readonly code = 'MODEL_INVALID';
  readonly retriable = false;
}
