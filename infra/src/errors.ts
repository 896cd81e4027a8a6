export const INFRA_ERROR_CODES = ['INFRA_TOOL_MISSING', 'INFRA_INSTALL_FAILED', 'INFRA_START_FAILED'] as const;
export type InfraErrorCode = (typeof INFRA_ERROR_CODES)[number];

export class InfraError extends Error {
  constructor(
    readonly code: InfraErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InfraError';
  }
}

export class ToolMissingError extends InfraError {
  constructor(tool: string, hint: string) {
    super('INFRA_TOOL_MISSING', `${tool} was not found on PATH: ${hint}`);
  }
}

export class InstallFailedError extends InfraError {
  constructor(what: string, logHint: string, cause?: unknown) {
    super('INFRA_INSTALL_FAILED', `could not install ${what}: ${logHint}`, { cause });
  }
}

export class StartFailedError extends InfraError {
  constructor(service: string, logFile: string, cause?: unknown) {
    super('INFRA_START_FAILED', `${service} did not become ready; see ${logFile}`, { cause });
  }
}
