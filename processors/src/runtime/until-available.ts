import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';

const BACKOFF_MS = [500, 1_000, 2_000, 5_000];

/**
 * Start-up against a dependency that may not be up yet (PostgreSQL restarting, Qdrant starting
 * beside us): retries with backoff while the error is retriable, logging each miss, and gives up
 * at once on a permanent one. Without this a processor started a moment too early would exit.
 */
export async function untilAvailable<T>(
  what: string,
  open: () => Promise<T>,
  logger: Pick<Logger, 'warn'>,
  classify: (error: unknown) => unknown = (error) => error,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (caught) {
      const error = classify(caught) as Error & { retriable?: boolean };
      if (error.retriable === false) throw error;
      const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] as number;
      logger.warn({ err: error }, `${what} is not reachable yet; retrying in ${wait} ms`);
      await delay(wait);
    }
  }
}
