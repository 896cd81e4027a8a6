import { setTimeout as delay } from 'node:timers/promises';

/** The work was given up because it is no longer wanted (closing, partition taken away). */
export const ABORTED = Symbol('aborted');
export type Aborted = typeof ABORTED;

export type Attempt<R> =
  | { ok: true; value: R }
  | { ok: false; error: Error & { code?: string }; attempts: number; firstFailureAt: number; lastFailureAt: number };

export interface RetryOptions {
  /** The first wait; each further one doubles, up to maxMs. */
  initialMs: number;
  maxMs: number;
  /** Whether trying again can help. Default: the error's `retriable` flag is not false. */
  retriable?: (error: Error) => boolean;
  /** Told of each failure that will be tried again, before the wait. */
  onRetry?: (error: Error, attempt: number, waitMs: number) => void;
  /**
   * Waits before the next try; resolves false when the work is no longer wanted. Default: a
   * timer that `signal` cuts short.
   */
  wait?: (ms: number) => Promise<boolean>;
  signal?: AbortSignal;
}

export const isRetriable = (error: unknown) => (error as { retriable?: unknown }).retriable !== false;

/**
 * The one retry loop of the pipeline: runs `work` until it succeeds, fails with an error that
 * trying again cannot mend, or is no longer wanted. Waits back off exponentially.
 */
export async function retryUntil<R>(work: () => Promise<R>, options: RetryOptions): Promise<Attempt<R> | Aborted> {
  const { initialMs, maxMs, retriable = isRetriable, onRetry, signal } = options;
  const wait = options.wait ?? ((ms: number) => abortableDelay(ms, signal));
  let attempts = 0;
  let firstFailureAt = 0;
  for (;;) {
    if (signal?.aborted) return ABORTED;
    try {
      return { ok: true, value: await work() };
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      attempts++;
      firstFailureAt ||= Date.now();
      if (!retriable(error)) return { ok: false, error, attempts, firstFailureAt, lastFailureAt: Date.now() };
      const waitMs = Math.min(maxMs, initialMs * 2 ** Math.min(attempts - 1, 16));
      onRetry?.(error, attempts, waitMs);
      if (!(await wait(waitMs))) return ABORTED;
    }
  }
}

async function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
