import { PipelineError } from '@vsp/platform';

export const SCHEMA_ERROR_CODES = [
  'PAYLOAD_INVALID',
  'RECORD_UNDECODABLE',
  'SCHEMA_REGISTRY_UNAVAILABLE',
  'SCHEMA_REJECTED',
] as const;
export type SchemaErrorCode = (typeof SCHEMA_ERROR_CODES)[number];

/** Base of this package's errors (see PipelineError for what the fields decide). */
export abstract class SchemaError extends PipelineError {
  declare readonly code: SchemaErrorCode;
}

export interface FieldProblem {
  /** Where in the body, e.g. ['data', 'price']. */
  path: string[];
  message: string;
  /** A short machine-readable kind: required, type, enum, format, ... */
  kind: string;
}

/** The webhook body is JSON but not a valid event: the ingress answers 422 with every problem. */
export class PayloadInvalidError extends SchemaError {
  static override readonly code: SchemaErrorCode = 'PAYLOAD_INVALID';
  static override readonly httpStatus = 422;
  constructor(readonly problems: readonly FieldProblem[]) {
    super(`invalid event: ${problems.map((p) => `${p.path.join('.') || '(body)'} ${p.message}`).join('; ')}`);
  }
}

/** Bytes on the topic that are not a record of ours: wrong magic byte, unknown schema, bad Avro. */
export class RecordUndecodableError extends SchemaError {
  static override readonly code: SchemaErrorCode = 'RECORD_UNDECODABLE';
}

export class SchemaRegistryUnavailableError extends SchemaError {
  static override readonly code: SchemaErrorCode = 'SCHEMA_REGISTRY_UNAVAILABLE';
  static override readonly retriable = true;
}

/** The registry refused our schema: invalid, or incompatible under the subject's rule (409). */
export class SchemaRejectedError extends SchemaError {
  static override readonly code: SchemaErrorCode = 'SCHEMA_REJECTED';
}
