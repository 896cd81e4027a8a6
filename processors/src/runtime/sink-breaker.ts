import { setTimeout as delay } from 'node:timers/promises';
import { type BreakerOptions, type BreakerState, breakerState, createBreaker, isRetriable } from '@vsp/platform';
import type CircuitBreaker from 'opossum';

export interface SinkBreakerOptions extends Omit<BreakerOptions, 'ignore'> {
  /** The sink's name, e.g. "postgres": what a failed probe is about. */
  sinkName: string;
  /** What a failed write is about: the sink, or another dependency of the write (the image host). */
  dependencyOf(error: Error): string;
  /** A cheap request that fails while the sink is down; without one, only failed writes open the breaker. */
  probe?: (() => Promise<unknown>) | undefined;
  /** How often the probe asks; a probe unanswered for four intervals has failed. */
  probeIntervalMs: number;
}

/**
 * The breaker in front of a processor's sink. Opossum's error rate alone opens it late or never
 * under load: the successes of the seconds before an outage stay in its rolling window while a
 * batch's retries back off (to RETRY_MAX_MS), so the window never sees enough failures (a
 * PostgreSQL outage at 250 events/s never paused consumption). So, as the ingress does for Kafka,
 * a watchdog probes the sink every `probeIntervalMs`: a failed probe opens the breaker and a
 * successful one closes it, whatever the batches are doing. `volumeThreshold` retriable write
 * failures in a row open it too, for a sink that answers probes but not writes. Permanent errors
 * (bad data) say nothing about the sink and count neither way.
 */
export class SinkBreaker<A extends unknown[], R> {
  readonly #breaker: CircuitBreaker<A, R>;
  readonly #options: SinkBreakerOptions;
  #failuresInARow = 0;
  /** The dependency whose failure opened the breaker last. */
  #cause: string;
  #watchdog: Promise<void> | undefined;
  readonly #stop = new AbortController();

  constructor(work: (...args: A) => Promise<R>, options: SinkBreakerOptions) {
    this.#options = options;
    this.#cause = options.sinkName;
    this.#breaker = createBreaker(work, { ...options, ignore: (error) => !isRetriable(error) });
    // Opossum emits a failure before it opens on its own error rate.
    this.#breaker.on('failure', (error: Error) => {
      if (!this.#breaker.opened) this.#cause = options.dependencyOf(error);
    });
  }

  get opened(): boolean {
    return this.#breaker.opened;
  }

  get state(): BreakerState {
    return breakerState(this.#breaker);
  }

  /** Which dependency's failure opened it (set before the breaker announces the change). */
  get cause(): string {
    return this.#cause;
  }

  /** Starts the watchdog (when there is a probe). */
  start(): void {
    if (this.#options.probe && !this.#stop.signal.aborted) this.#watchdog ??= this.#watch(this.#options.probe);
  }

  async fire(...args: A): Promise<R> {
    try {
      const result = await this.#breaker.fire(...args);
      this.#failuresInARow = 0;
      return result;
    } catch (error) {
      if (isRetriable(error) && ++this.#failuresInARow >= this.#options.volumeThreshold) {
        this.#open(this.#options.dependencyOf(error as Error));
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#watchdog;
    this.#breaker.shutdown();
  }

  async #watch(probe: () => Promise<unknown>): Promise<void> {
    const { probeIntervalMs } = this.#options;
    while (!this.#stop.signal.aborted) {
      const unanswered = new AbortController();
      const answered = await Promise.race([
        probe().then(
          () => true,
          () => false,
        ),
        delay(probeIntervalMs * 4, false, { signal: AbortSignal.any([this.#stop.signal, unanswered.signal]) }).catch(
          () => false,
        ),
      ]);
      unanswered.abort();
      if (this.#stop.signal.aborted) return;
      if (!answered) this.#open(this.#options.sinkName);
      else if (!this.#breaker.closed) {
        this.#failuresInARow = 0;
        this.#breaker.close();
      }
      await delay(probeIntervalMs, undefined, { signal: this.#stop.signal }).catch(() => {});
    }
  }

  #open(cause: string): void {
    if (this.#breaker.opened) return;
    this.#cause = cause;
    this.#breaker.open();
  }
}
