import { ABORTED, retryUntil } from '@vsp/platform';
import type { Logger } from 'pino';
import { ProcessorClosedError } from '../errors.js';

export interface UntilAvailableOptions {
  logger: Pick<Logger, 'warn'>;
  /** Turns a failure into an error whose `retriable` flag says whether to try again. */
  classify?: (error: unknown) => unknown;
  /** Gives up (ProcessorClosedError) when the process is stopping. */
  signal?: AbortSignal;
}

/**
 * Start-up against a dependency that may not be up yet (PostgreSQL restarting, Qdrant starting
 * beside us): retries with backoff while the error is retriable, logging each miss, and gives up
 * at once on a permanent one. Without this a processor started a moment too early would exit.
 */
export async function untilAvailable<T>(
  what: string,
  open: () => Promise<T>,
  { logger, classify = (error) => error, signal }: UntilAvailableOptions,
): Promise<T> {
  const result = await retryUntil(
    async () => {
      try {
        return await open();
      } catch (error) {
        throw classify(error);
      }
    },
    {
      initialMs: 500,
      maxMs: 5_000,
      signal,
      onRetry: (error, _attempt, waitMs) =>
        logger.warn({ err: error }, `${what} is not reachable yet; retrying in ${waitMs} ms`),
    },
  );
  if (result === ABORTED) throw new ProcessorClosedError();
  if (!result.ok) throw result.error;
  return result.value;
}
