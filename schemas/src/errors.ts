export const SCHEMA_ERROR_CODES = [
  'PAYLOAD_INVALID',
  'RECORD_UNDECODABLE',
  'SCHEMA_REGISTRY_UNAVAILABLE',
  'SCHEMA_REJECTED',
] as const;
export type SchemaErrorCode = (typeof SCHEMA_ERROR_CODES)[number];

/** Base of this package's errors. `retriable` tells callers whether trying again can help. */
export abstract class SchemaError extends Error {
  abstract readonly code: SchemaErrorCode;
  abstract readonly retriable: boolean;
  override name = 'SchemaError';
}

export interface FieldProblem {
  /** Where in the body, e.g. ['data', 'price']. */
  path: string[];
  message: string;
  /** A short machine-readable kind: required, type, enum, format, ... */
  kind: string;
}

/** The webhook body is JSON but not a valid event. */
export class PayloadInvalidError extends SchemaError {
  readonly code = 'PAYLOAD_INVALID';
  readonly retriable = false;
  constructor(readonly problems: readonly FieldProblem[]) {
    super(`invalid event: ${problems.map((p) => `${p.path.join('.') || '(body)'} ${p.message}`).join('; ')}`);
  }
}

/** Bytes on the topic that are not a record of ours: wrong magic byte, unknown schema, bad Avro. */
export class RecordUndecodableError extends SchemaError {
  readonly code = 'RECORD_UNDECODABLE';
  readonly retriable = false;
}

export class SchemaRegistryUnavailableError extends SchemaError {
  readonly code = 'SCHEMA_REGISTRY_UNAVAILABLE';
  readonly retriable = true;
}

/** The registry refused our schema: invalid, or incompatible under the subject's rule (409). */
export class SchemaRejectedError extends SchemaError {
  readonly code = 'SCHEMA_REJECTED';
  readonly retriable = false;
}
