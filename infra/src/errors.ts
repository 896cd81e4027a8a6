import { PipelineError } from '@vsp/platform';

export const INFRA_ERROR_CODES = [
  'INFRA_TOOL_MISSING',
  'INFRA_INSTALL_FAILED',
  'INFRA_START_FAILED',
  'INFRA_PORT_TAKEN',
  'INFRA_EXTERNAL_UNREACHABLE',
] as const;
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
  constructor(
    service: string,
    readonly logFile: string,
    cause?: unknown,
  ) {
    super(`${service} did not become ready; see ${logFile}`, { cause });
  }
}

/** Something answers on a port of ours that this checkout did not start: another checkout, or another program. */
export class PortTakenError extends InfraError {
  static override readonly code: InfraErrorCode = 'INFRA_PORT_TAKEN';
  constructor(service: string, endpoint: string, portSetting: string, addressSetting: string, infraHome: string) {
    super(
      `${service}: ${endpoint} answers, but this checkout did not start it (nothing of ours runs from ${infraHome}). ` +
        `It belongs to another checkout or program; set ${portSetting} to a free port for this checkout, ` +
        `or ${addressSetting}=${endpoint} to use that one on purpose`,
    );
  }
}

export class ExternalUnreachableError extends InfraError {
  static override readonly code: InfraErrorCode = 'INFRA_EXTERNAL_UNREACHABLE';
  constructor(service: string, endpoint: string, addressSetting: string) {
    super(
      `${service}: ${addressSetting}=${endpoint} is set, so infra runs no ${service} of its own, and nothing answers there. ` +
        `Start it, or unset ${addressSetting} (environment or .env) to let infra run one`,
    );
  }
}
