export const PROCESSOR_ERROR_CODES = [
  'EVENT_INVALID',
  'SINK_UNAVAILABLE',
  'SINK_REJECTED',
  'PROCESSOR_CLOSED',
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
