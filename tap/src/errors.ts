import { PipelineError } from '@vsp/platform';

export const TAP_ERROR_CODES = ['TAP_USAGE'] as const;
export type TapErrorCode = (typeof TAP_ERROR_CODES)[number];

export abstract class TapError extends PipelineError {
  declare readonly code: TapErrorCode;
}

/** The command line asks for something the tap cannot do; the message says what to write instead. */
export class TapUsageError extends TapError {
  static override readonly code: TapErrorCode = 'TAP_USAGE';
}
