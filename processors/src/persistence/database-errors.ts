import { type PipelineError, SinkRejectedError, SinkUnavailableError } from '@vsp/platform';

/**
 * PostgreSQL errors by SQLSTATE class: data exceptions (22) and integrity violations (23) are
 * about the data and will fail again, so they are permanent; everything else (connection loss,
 * shutdown, lock or serialization conflicts, a missing table an operator can fix) may pass.
 */
export function classifyDatabaseError(error: unknown): PipelineError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && /^(22|23)/.test(code)) {
    return new SinkRejectedError(`PostgreSQL refused the data (${code}): ${message}`, { cause: error });
  }
  return new SinkUnavailableError(
    `PostgreSQL is unavailable (${typeof code === 'string' ? code : 'no SQLSTATE'}): ${message}`,
    {
      cause: error,
    },
  );
}
