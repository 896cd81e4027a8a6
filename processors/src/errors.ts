import { PipelineError } from '@vsp/platform';

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
  'MODEL_UNAVAILABLE',
  'INFERENCE_WORKER_EXITED',
  'MODEL_MISMATCH',
  'INDEX_VERSION_UNKNOWN',
  'INDEX_VERSION_REFUSED',
  'GROUP_ACTIVE',
  'OFFSET_TARGET_INVALID',
] as const;
export type ProcessorErrorCode = (typeof PROCESSOR_ERROR_CODES)[number];

/**
 * Base of every error the processors raise. The runtime decides from `retriable` alone: a
 * retriable error is retried with backoff and never dead-lettered; anything else is permanent
 * and goes to the DLQ with `code` as its reason. Decoding errors come from @vsp/schemas'
 * catalogue (RECORD_UNDECODABLE, SCHEMA_REGISTRY_UNAVAILABLE), built on the same base.
 */
export abstract class ProcessorError extends PipelineError {
  declare readonly code: ProcessorErrorCode;
}

/** The record decodes but its content breaks the event contract. */
export class EventInvalidError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'EVENT_INVALID';
}

/** The sink (database, vector store) is down or slow; the write may succeed later. */
export class SinkUnavailableError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'SINK_UNAVAILABLE';
  static override readonly retriable = true;
}

/** The sink refused this data for good (a constraint or data error, Qdrant's 4xx). */
export class SinkRejectedError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'SINK_REJECTED';
}

export class ProcessorClosedError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'PROCESSOR_CLOSED';
  constructor() {
    super('the processor is closed');
  }
}

/** image_key is not a plain relative path (scheme, leading slash, "..", control characters). */
export class ImageKeyInvalidError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'IMAGE_KEY_INVALID';
}

/** The image host answered 404 or 410. */
export class ImageNotFoundError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'IMAGE_NOT_FOUND';
}

/** The image host refused for good (403, 415, other 4xx) or sent something that is not an image type. */
export class ImageRefusedError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'IMAGE_REFUSED';
}

/** The bytes are not an image sharp can decode. */
export class ImageUndecodableError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'IMAGE_UNDECODABLE';
}

/** Over the byte cap, or more pixels than allowed (a decompression bomb). */
export class ImageTooLargeError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'IMAGE_TOO_LARGE';
}

/** The image host is down, slow, or answered 5xx/429: try again later. */
export class ImageHostUnavailableError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'IMAGE_HOST_UNAVAILABLE';
  static override readonly retriable = true;
  /** What /health names as failing: the image host, not the sink. */
  readonly dependency = 'image-host';
}

/** MODEL_DIR holds neither our manifest layout nor Immich's CLIP layout, or the model does not load. */
export class ModelInvalidError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'MODEL_INVALID';
}

/** A pretrained model could not be fetched (no network, no pip): the message says what to set instead. */
export class ModelUnavailableError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'MODEL_UNAVAILABLE';
}

/**
 * The inference worker thread died; the embeds it held fail with this and a new worker is
 * started for the next batch. Retriable: the batch is tried again on the new worker.
 */
export class InferenceWorkerExitedError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'INFERENCE_WORKER_EXITED';
  static override readonly retriable = true;
}

/** A collection's vectors came from another model than the one offered to read or write them. */
export class ModelMismatchError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'MODEL_MISMATCH';
}

/** No collection of that name behind the alias. */
export class IndexVersionUnknownError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'INDEX_VERSION_UNKNOWN';
}

/** The operation would leave searches on an incomplete collection or with none. */
export class IndexVersionRefusedError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'INDEX_VERSION_REFUSED';
}

/** A consumer group's offsets cannot be moved while it has members. */
export class GroupActiveError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'GROUP_ACTIVE';
}

/** `--to` names no position the topic has. */
export class OffsetTargetInvalidError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'OFFSET_TARGET_INVALID';
}
