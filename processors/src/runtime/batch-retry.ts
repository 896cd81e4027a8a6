import { setTimeout as delay } from 'node:timers/promises';
import { ABORTED, type Aborted, type Attempt, isRetriable, retryUntil } from '@vsp/platform';
import type { Logger } from 'pino';
import type { ConsumerHealth } from './consumer-health.js';
import type { ProcessorMetrics } from './processor-metrics.js';

/** What kafkajs lends the work on one batch. */
export interface BatchControl {
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the batch was taken away by a rebalance. */
  live(): boolean;
}

export interface RetryOptions {
  /** The first backoff; each retry doubles it up to `maxMs`. */
  initialMs: number;
  maxMs: number;
}

export interface AttemptOptions {
  /** The dependency the work calls, in logs, metrics and health; an error may name another (the image host). */
  dependency: string;
  /** Default: the error's `retriable` flag. */
  retriable?: (error: Error) => boolean;
  /** The dependency's breaker: while it is open, a retry waits for it to close instead of a backoff. */
  breaker?: { readonly opened: boolean };
  /** Called, instead of a warning, on each retry made while that breaker is open. */
  onOutage?(dependency: string): void;
}

export interface BatchRetryOptions {
  /** The processor's name, a label of the retry metric. */
  name: string;
  retry: RetryOptions;
  /** How often the member must heartbeat to keep its partitions (a tenth of the session timeout). */
  heartbeatIntervalMs: number;
  health: ConsumerHealth;
  metrics: ProcessorMetrics;
  logger: Logger;
}

/** How often a retry waiting out an open breaker looks whether it closed. */
const BREAKER_POLL_MS = 500;

/** Which dependency a failure is about: the error may say (the image host), else the caller's. */
export const dependencyOf = (error: Error, fallback: string): string =>
  (error as { dependency?: string }).dependency ?? fallback;

/**
 * Runs a batch's work until it succeeds, fails for good, or the batch is no longer ours. Transient
 * failures wait with backoff, heartbeating meanwhile so the group keeps the partition; each retry
 * is counted and shown in /health until the work succeeds.
 */
export class BatchRetry {
  constructor(private readonly options: BatchRetryOptions) {}

  async attempt<R>(work: () => Promise<R>, control: BatchControl, how: AttemptOptions): Promise<Attempt<R> | Aborted> {
    const { retry, logger, metrics, name, health } = this.options;
    const { breaker } = how;
    const result = await retryUntil(() => this.#keepingAlive(work, control), {
      initialMs: retry.initialMs,
      maxMs: retry.maxMs,
      retriable: how.retriable ?? isRetriable,
      onRetry: (error, attempts, waitMs) => {
        const dependency = dependencyOf(error, how.dependency);
        metrics.retries.inc({ processor: name, dependency });
        health.failing(dependency, error, attempts);
        if (breaker?.opened) how.onOutage?.(dependency);
        else logger.warn({ err: error }, `${dependency} failed (attempt ${attempts}), retrying in ${waitMs} ms`);
      },
      wait: async (ms) => {
        // The backoff ends early when the breaker opens; an open breaker is waited out, and the
        // work is tried again as soon as it closes (the dependency is back), not a backoff later.
        await this.#wait(ms, control, breaker && (() => breaker.opened));
        while (breaker?.opened && control.live()) await this.#wait(BREAKER_POLL_MS, control, () => !breaker.opened);
        return control.live();
      },
    });
    if (result !== ABORTED) health.recovered();
    return result;
  }

  /**
   * Heartbeats while `work` runs: a sink write or an image batch may take longer than the session
   * timeout (SINK_TIMEOUT_MS is 60 s for embedding, the session 10 s), and a member that falls
   * silent that long loses its partitions, then writes the same batch again: a loop.
   */
  async #keepingAlive<R>(work: () => Promise<R>, control: BatchControl): Promise<R> {
    const timer = setInterval(() => void control.heartbeat().catch(() => {}), this.options.heartbeatIntervalMs);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Waits `ms` heartbeating, or less once the batch is given up or `over()` says so. */
  async #wait(ms: number, control: BatchControl, over?: () => boolean): Promise<void> {
    const until = Date.now() + ms;
    const step = over ? 50 : 1_000;
    while (Date.now() < until && control.live() && !over?.()) {
      await delay(Math.min(step, until - Date.now()));
      await control.heartbeat().catch(() => {});
    }
  }
}
