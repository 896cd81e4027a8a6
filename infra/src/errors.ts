import { PipelineError } from '@vsp/platform';

export const INFRA_ERROR_CODES = ['INFRA_TOOL_MISSING', 'INFRA_INSTALL_FAILED', 'INFRA_START_FAILED'] as const;
export type InfraErrorCode = (typeof INFRA_ERROR_CODES)[number];

/** Base of what `infra` reports to the operator; none is worth retrying as it is. */
export abstract class InfraError extends PipelineError {
  declare readonly code: InfraErrorCode;
}

export class ToolMissingError extends InfraError {
  static override readonly code: InfraErrorCode = 'INFRA_TOOL_MISSING';
  constructor(tool: string, hint: string) {
    super(`${tool} was not found: ${hint}`);
  }
}

export class InstallFailedError extends InfraError {
  static override readonly code: InfraErrorCode = 'INFRA_INSTALL_FAILED';
  constructor(what: string, logHint: string, cause?: unknown) {
    super(`could not install ${what}: ${logHint}`, { cause });
  }
}

export class StartFailedError extends InfraError {
  static override readonly code: InfraErrorCode = 'INFRA_START_FAILED';
  constructor(service: string, logFile: string, cause?: unknown) {
    super(`${service} did not become ready; see ${logFile}`, { cause });
  }
}
