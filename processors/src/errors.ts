import { PipelineError } from '@vsp/platform';

export const PROCESSOR_ERROR_CODES = [
  'EVENT_INVALID',
  'PROCESSOR_CLOSED',
  'GROUP_ACTIVE',
  'OFFSET_TARGET_INVALID',
  'SINK_OUTCOMES_MISMATCH',
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

export class ProcessorClosedError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'PROCESSOR_CLOSED';
  constructor() {
    super('the processor is closed');
  }
}

/** A consumer group's offsets cannot be moved while it has members. */
export class GroupActiveError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'GROUP_ACTIVE';
}

/** `--to` names no position the topic has. */
export class OffsetTargetInvalidError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'OFFSET_TARGET_INVALID';
}

/** A sink answered a write with another number of outcomes than records: a bug in the sink, not in the records. */
export class SinkOutcomesMismatchError extends ProcessorError {
  static override readonly code: ProcessorErrorCode = 'SINK_OUTCOMES_MISMATCH';
  constructor(records: number, outcomes: number) {
    super(`the sink returned ${outcomes} outcomes for ${records} records`);
  }
}
