import { ABORTED, type Aborted, type Attempt, BREAKER_GAUGE_VALUE, type BreakerState } from '@vsp/platform';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { SinkOutcomesMismatchError } from '../errors.js';
import { type BatchControl, type BatchRetry, dependencyOf } from './batch-retry.js';
import type { EventOutcome, ProcessorMetrics } from './processor-metrics.js';
import { SinkBreaker } from './sink-breaker.js';

export interface SinkRecord<T> {
  value: T;
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Per record: written, older than what the sink holds, or a permanent error to dead-letter. */
export type WriteOutcome = WrittenOutcome | (Error & { code?: string; retriable: false });
export type WrittenOutcome = Exclude<EventOutcome, 'dead_lettered'>;

/** Where a processor writes. Errors it throws carry `retriable` (see errors.ts). */
export interface Sink<T> {
  /**
   * Writes durably and idempotently (a retry or replay is harmless); one outcome per record, in
   * order. Throwing fails the whole batch (retried if retriable); a permanent outcome fails one record.
   */
  write(records: SinkRecord<T>[]): Promise<WriteOutcome[]>;
  /** A cheap request that fails while the sink is down, for the breaker and /health. */
  probe?(): Promise<unknown>;
}

export interface SinkOptions {
  /** The sink's dependency in logs, metrics and health, e.g. "postgres". */
  name: string;
  /** A write slower than this counts as failed (and is retried: writes are idempotent). */
  timeoutMs: number;
  /** Records handed to one write at most. */
  maxRecordsPerWrite: number;
  breaker: { resetMs: number; errorPercent: number; volumeThreshold: number };
}

/** Stops and restarts fetching the topic while the sink is down. */
export interface Consumption {
  pause(dependency: string): void;
  resume(): void;
}

export interface SinkWriterDependencies {
  /** The processor's name, a label of the breaker metric. */
  processor: string;
  retry: BatchRetry;
  consumption: Consumption;
  metrics: ProcessorMetrics;
  logger: Logger;
}

export interface Written<T> {
  record: SinkRecord<T>;
  result: Attempt<WrittenOutcome>;
}

/** How often the sink's breaker probes the sink (see SinkBreaker): an outage and the recovery are noticed within about this long. */
const SINK_PROBE_INTERVAL_MS = 500;

/**
 * Writes records to a processor's sink through its breaker. Transient failures are retried (see
 * BatchRetry); while the breaker is open, consumption is paused and resumes once a probe or a
 * write succeeds. A batch the sink refuses for good is written again one record at a time, so
 * that only the records it refuses are dead-lettered.
 */
export class SinkWriter<T> {
  readonly #sink: Sink<T>;
  readonly #options: SinkOptions;
  readonly #deps: SinkWriterDependencies;
  readonly #breaker: SinkBreaker<[SinkRecord<T>[]], WriteOutcome[]>;

  constructor(sink: Sink<T>, options: SinkOptions, deps: SinkWriterDependencies) {
    this.#sink = sink;
    this.#options = options;
    this.#deps = deps;
    const { name } = options;
    const labels = { processor: deps.processor, dependency: name };
    deps.metrics.breaker.set(labels, BREAKER_GAUGE_VALUE.closed);
    let outage = false;
    this.#breaker = new SinkBreaker((records: SinkRecord<T>[]) => this.#writeOnce(records), {
      timeoutMs: options.timeoutMs,
      resetMs: options.breaker.resetMs,
      errorPercent: options.breaker.errorPercent,
      volumeThreshold: options.breaker.volumeThreshold,
      probe: sink.probe?.bind(sink),
      sinkName: name,
      dependencyOf: (error) => dependencyOf(error, name),
      probeIntervalMs: SINK_PROBE_INTERVAL_MS,
      onChange: (state) => {
        deps.metrics.breaker.set(labels, BREAKER_GAUGE_VALUE[state]);
        // Once per outage: a trial write that fails reopens it from half-open, which is no news.
        if (state === 'open' && !outage) {
          deps.logger.error(`${this.#breaker.cause} failing: ${name} breaker opened, pausing consumption`);
          deps.consumption.pause(this.#breaker.cause);
        }
        if (state === 'closed' && outage) {
          deps.logger.info(`${name} breaker closed: consumption resumes`);
          deps.consumption.resume();
        }
        outage = state !== 'closed';
      },
    });
  }

  get state(): BreakerState {
    return this.#breaker.state;
  }

  /** Starts probing the sink (when it has a probe). */
  start(): void {
    this.#breaker.start();
  }

  async close(): Promise<void> {
    await this.#breaker.close();
  }

  /** One result per record, in order; ABORTED when the batch was given up (closing, rebalance). */
  async write(records: SinkRecord<T>[], control: BatchControl): Promise<Written<T>[] | Aborted> {
    if (records.length === 0) return [];
    const { retry, consumption } = this.#deps;
    const attempt = await retry.attempt(() => this.#breaker.fire(records), control, {
      dependency: this.#options.name,
      breaker: this.#breaker,
      onOutage: (dependency) => consumption.pause(dependency),
    });
    if (attempt === ABORTED) return ABORTED;
    if (attempt.ok) {
      consumption.resume();
      return records.map((record, i) => ({ record, result: resultOf(attempt.value[i] as WriteOutcome) }));
    }
    if (records.length === 1) return [{ record: records[0] as SinkRecord<T>, result: attempt }];
    const results: Written<T>[] = [];
    for (const record of records) {
      const one = await this.write([record], control);
      if (one === ABORTED) return ABORTED;
      results.push(...one);
    }
    return results;
  }

  async #writeOnce(records: SinkRecord<T>[]): Promise<WriteOutcome[]> {
    const outcomes = await this.#sink.write(records);
    // A sink that loses count has a bug: its records are dead-lettered (one by one, see write())
    // rather than counted as written without anyone knowing.
    if (outcomes.length !== records.length) throw new SinkOutcomesMismatchError(records.length, outcomes.length);
    return outcomes;
  }
}

function resultOf(outcome: WriteOutcome): Attempt<WrittenOutcome> {
  if (typeof outcome === 'string') return { ok: true, value: outcome };
  const now = Date.now();
  return { ok: false, error: outcome, attempts: 1, firstFailureAt: now, lastFailureAt: now };
}
