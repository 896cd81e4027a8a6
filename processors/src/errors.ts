export const PROCESSOR_ERROR_CODES = [
  'RECORD_UNDECODABLE',
  'EVENT_INVALID',
  'SINK_UNAVAILABLE',
  'SINK_REJECTED',
  'SCHEMA_REGISTRY_UNAVAILABLE',
  'PROCESSOR_CLOSED',
] as const;
export type ProcessorErrorCode = (typeof PROCESSOR_ERROR_CODES)[number];

/**
 * Base of every error the processors raise. The runtime decides from `retriable` alone: a
 * retriable error is retried with backoff and never dead-lettered; anything else is permanent
 * and goes to the DLQ with `code` as its reason.
 */
export abstract class ProcessorError extends Error {
  abstract readonly code: ProcessorErrorCode;
  abstract readonly retriable: boolean;
  override name = 'ProcessorError';
}

/** The bytes are not a record of ours (wrong magic byte, unknown schema id, bad Avro). */
export class RecordUndecodableError extends ProcessorError {
  readonly code = 'RECORD_UNDECODABLE';
  readonly retriable = false;
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

export class SchemaRegistryUnavailableError extends ProcessorError {
  readonly code = 'SCHEMA_REGISTRY_UNAVAILABLE';
  readonly retriable = true;
}

export class ProcessorClosedError extends ProcessorError {
  readonly code = 'PROCESSOR_CLOSED';
  readonly retriable = false;
  constructor() {
    super('the processor is closed');
  }
}
