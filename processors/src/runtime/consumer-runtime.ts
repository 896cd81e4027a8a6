import { setTimeout as delay } from 'node:timers/promises';
import type { Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import { ProcessorClosedError } from '../errors.js';
import { type DeadLetter, DeadLetterQueue } from './dead-letter-queue.js';
import type { HealthReport } from './health-server.js';
import type { EventOutcome, ProcessorMetrics } from './processor-metrics.js';

export interface SinkRecord<T> {
  value: T;
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Per record: written, older than what the sink holds, or a permanent error to dead-letter. */
export type WriteOutcome = Exclude<EventOutcome, 'dead_lettered'> | (Error & { code?: string; retriable: false });

/** What a processor plugs into the runtime. Errors it throws carry `retriable` (see errors.ts). */
export interface RecordHandler<T> {
  /** Bytes to a value the sink understands; a permanent error dead-letters the record. */
  decode(message: KafkaMessage): Promise<T>;
  /**
   * Writes durably and idempotently (a retry or replay is harmless); one outcome per record.
   * Throwing fails the whole batch (retried if retriable); a permanent outcome fails one record.
   */
  write(records: SinkRecord<T>[]): Promise<WriteOutcome[]>;
  /** The event type, for metrics. */
  label(value: T): string;
}

export interface ConsumerRuntimeOptions<T> {
  /** Processor name in logs and metrics, e.g. "persistence". */
  name: string;
  kafka: Kafka;
  groupId: string;
  topic: string;
  dlqTopic: string;
  /** Partitions processed at the same time. */
  concurrency: number;
  sessionTimeoutMs: number;
  handler: RecordHandler<T>;
  /** Name of the sink's dependency in logs and metrics, e.g. "postgres". */
  sinkName: string;
  retryInitialMs: number;
  retryMaxMs: number;
  breakerResetMs: number;
  breakerErrorPercent: number;
  breakerVolumeThreshold: number;
  /** A sink write slower than this counts as failed (and is retried: writes are idempotent). */
  sinkTimeoutMs: number;
  logger: Logger;
  metrics: ProcessorMetrics;
}

type Attempt<R> =
  | { ok: true; value: R }
  | { ok: false; error: Error & { code?: string }; attempts: number; firstFailureAt: number; lastFailureAt: number };

const ABORTED = Symbol('aborted');
type Aborted = typeof ABORTED;

interface BatchControl {
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the batch was taken away by a rebalance. */
  live(): boolean;
}

const isRetriable = (error: unknown) => (error as { retriable?: unknown }).retriable !== false;

/**
 * The consumer every processor runs on. Per batch: decode each record, write the decodable ones
 * to the sink in one call, dead-letter the permanent failures, and only then resolve and commit
 * the offsets. Transient failures are retried with backoff, heartbeating, without end; a breaker
 * around the sink pauses the topic's partitions while the sink is down and resumes them once a
 * probe succeeds. Nothing is committed past a record that is neither written nor dead-lettered.
 */
export class ConsumerRuntime<T> {
  readonly #options: ConsumerRuntimeOptions<T>;
  readonly #consumer: Consumer;
  readonly #producer: Producer;
  readonly #dlq: DeadLetterQueue;
  readonly #breaker: CircuitBreaker<[SinkRecord<T>[]], WriteOutcome[]>;
  #paused = false;
  #closing: Promise<void> | undefined;
  #started = false;
  #lastBatchAt: number | undefined;
  #fatal: ((error: Error) => void) | undefined;

  constructor(options: ConsumerRuntimeOptions<T>) {
    this.#options = options;
    this.#consumer = options.kafka.consumer({
      groupId: options.groupId,
      maxWaitTimeInMs: 250,
      // Larger fetches make larger batches: one sink transaction covers more records.
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.floor(options.sessionTimeoutMs / 10),
    });
    this.#producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.#dlq = new DeadLetterQueue(this.#producer, options.dlqTopic, options.groupId);
    this.#breaker = new CircuitBreaker((records: SinkRecord<T>[]) => options.handler.write(records), {
      timeout: options.sinkTimeoutMs,
      resetTimeout: options.breakerResetMs,
      errorThresholdPercentage: options.breakerErrorPercent,
      volumeThreshold: options.breakerVolumeThreshold,
      // Bad data is not an outage: permanent errors must not open the breaker.
      errorFilter: (error: unknown) => !isRetriable(error),
    });
    const labels = { processor: options.name, dependency: options.sinkName };
    options.metrics.breaker.set(labels, 0);
    this.#breaker.on('open', () => {
      options.metrics.breaker.set(labels, 2);
      options.logger.error(`${options.sinkName} breaker opened: pausing consumption of ${options.topic}`);
    });
    this.#breaker.on('halfOpen', () => options.metrics.breaker.set(labels, 1));
    this.#breaker.on('close', () => {
      options.metrics.breaker.set(labels, 0);
      options.logger.info(`${options.sinkName} breaker closed: consumption resumes`);
    });
  }

  /** Called when the consumer has crashed for good (kafkajs gave up restarting it). */
  onFatal(listener: (error: Error) => void): void {
    this.#fatal = listener;
  }

  async start(): Promise<void> {
    if (this.#closing) throw new ProcessorClosedError();
    this.#started = true;
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.#fatal?.(payload.error);
    });
    await this.#producer.connect();
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topic: this.#options.topic, fromBeginning: true });
    await this.#consumer.run({
      partitionsConsumedConcurrently: this.#options.concurrency,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
    this.#options.logger.info(
      `${this.#options.name} processor consuming ${this.#options.topic} as group ${this.#options.groupId}`,
    );
  }

  health(): HealthReport {
    return {
      status: this.#closing ? 'stopping' : this.#breaker.opened ? 'degraded' : 'ok',
      processor: this.#options.name,
      group: this.#options.groupId,
      topic: this.#options.topic,
      [this.#options.sinkName]: this.#breaker.opened ? 'open' : this.#breaker.halfOpen ? 'half-open' : 'closed',
      paused: this.#paused,
      lastBatchAt: this.#lastBatchAt ? new Date(this.#lastBatchAt).toISOString() : null,
    };
  }

  /**
   * Stops fetching; a batch in progress either finishes or is abandoned without committing past
   * what was written; commits; leaves the group; disconnects. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#started) await this.#consumer.disconnect();
      await this.#producer.disconnect();
      this.#breaker.shutdown();
    })();
    return this.#closing;
  }

  async #eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    if (batch.isEmpty()) return;
    const started = performance.now();
    const control: BatchControl = { heartbeat, live: () => isRunning() && !isStale() && !this.#closing };
    const { name, handler, metrics } = this.#options;

    const records: SinkRecord<T>[] = [];
    const letters: DeadLetter[] = [];
    for (const message of batch.messages) {
      const decoded = await this.#attempt('schema-registry', () => handler.decode(message), control);
      if (decoded === ABORTED) return;
      if (decoded.ok) records.push({ value: decoded.value, topic: batch.topic, partition: batch.partition, message });
      else
        letters.push(
          this.#letter(batch, message, decoded.error.code === 'EVENT_INVALID' ? 'validate' : 'decode', decoded),
        );
    }

    const written = await this.#write(records, control);
    if (written === ABORTED) return;
    for (const { record, result } of written) {
      if (result.ok)
        metrics.events.inc({ processor: name, event_type: handler.label(record.value), outcome: result.value });
      else letters.push(this.#letter(batch, record.message, 'sink', result));
    }

    if (letters.length > 0) {
      const sent = await this.#attempt('kafka', () => this.#dlq.send(letters), control, { alwaysRetry: true });
      if (sent === ABORTED) return;
      for (const letter of letters) this.#reportDeadLetter(letter);
    }

    // kafkajs commits the resolved offsets as soon as this handler returns (autoCommit without
    // interval or threshold); an aborted batch returns above without resolving anything.
    resolveOffset(batch.lastOffset());
    this.#lastBatchAt = Date.now();
    metrics.batchSize.observe({ processor: name }, batch.messages.length);
    metrics.batchDuration.observe({ processor: name }, (performance.now() - started) / 1000);
    metrics.lag.set({ processor: name, partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  /** Writes records; when the sink refuses the batch for good, writes them one by one to find which. */
  async #write(
    records: SinkRecord<T>[],
    control: BatchControl,
  ): Promise<{ record: SinkRecord<T>; result: Attempt<Exclude<EventOutcome, 'dead_lettered'>> }[] | Aborted> {
    if (records.length === 0) return [];
    const attempt = await this.#attempt(this.#options.sinkName, () => this.#breaker.fire(records), control);
    if (attempt === ABORTED) return ABORTED;
    if (attempt.ok) {
      return records.map((record, i) => {
        const outcome = attempt.value[i] ?? 'applied';
        if (typeof outcome === 'string') return { record, result: { ok: true as const, value: outcome } };
        const now = Date.now();
        return {
          record,
          result: { ok: false as const, error: outcome, attempts: 1, firstFailureAt: now, lastFailureAt: now },
        };
      });
    }
    if (records.length === 1) return [{ record: records[0] as SinkRecord<T>, result: attempt }];
    const results = [];
    for (const record of records) {
      const one = await this.#write([record], control);
      if (one === ABORTED) return ABORTED;
      results.push(...one);
    }
    return results;
  }

  /**
   * Runs `work` until it succeeds, fails for good, or the batch is no longer ours. Transient
   * failures wait with backoff (or, while the sink's breaker is open, with the partitions paused)
   * and heartbeat meanwhile so the group keeps the partition.
   */
  async #attempt<R>(
    dependency: string,
    work: () => Promise<R>,
    control: BatchControl,
    { alwaysRetry = false } = {},
  ): Promise<Attempt<R> | Aborted> {
    const { retryInitialMs, retryMaxMs, logger, metrics, name } = this.#options;
    let attempts = 0;
    let firstFailureAt = 0;
    for (;;) {
      if (!control.live()) return ABORTED;
      try {
        const value = await work();
        if (dependency === this.#options.sinkName && this.#paused) this.#resume();
        return { ok: true, value };
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        attempts++;
        firstFailureAt ||= Date.now();
        if (!alwaysRetry && !isRetriable(error)) {
          return { ok: false, error, attempts, firstFailureAt, lastFailureAt: Date.now() };
        }
        metrics.retries.inc({ processor: name, dependency });
        if (dependency === this.#options.sinkName && this.#breaker.opened) {
          this.#pause();
          while (this.#breaker.opened && control.live()) await this.#wait(500, control);
        } else {
          const wait = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(attempts - 1, 16));
          logger.warn({ err: error }, `${dependency} failed (attempt ${attempts}), retrying in ${wait} ms`);
          await this.#wait(wait, control);
        }
      }
    }
  }

  async #wait(ms: number, control: BatchControl): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && control.live()) {
      await delay(Math.min(1_000, until - Date.now()));
      await control.heartbeat().catch(() => {});
    }
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#consumer.pause([{ topic: this.#options.topic }]);
  }

  #resume(): void {
    this.#paused = false;
    this.#consumer.resume([{ topic: this.#options.topic }]);
  }

  #letter(
    batch: Batch,
    message: KafkaMessage,
    stage: string,
    failed: Extract<Attempt<unknown>, { ok: false }>,
  ): DeadLetter {
    return {
      topic: batch.topic,
      partition: batch.partition,
      message,
      stage,
      error: failed.error,
      attempts: failed.attempts,
      firstFailureAt: failed.firstFailureAt,
      lastFailureAt: failed.lastFailureAt,
    };
  }

  #reportDeadLetter(letter: DeadLetter): void {
    const { logger, metrics, name } = this.#options;
    const reason = letter.error.code ?? 'UNKNOWN';
    metrics.deadLetters.inc({ processor: name, reason });
    metrics.events.inc({
      processor: name,
      event_type: String(letter.message.headers?.event_type ?? 'unknown'),
      outcome: 'dead_lettered',
    });
    const eventId = String(
      letter.message.headers?.event_id ?? `${letter.topic}/${letter.partition}/${letter.message.offset}`,
    );
    logger.error(
      `Failed to process webhook: ${eventId} (${reason} at ${letter.stage}: ${letter.error.message}); sent to ${this.#options.dlqTopic}`,
    );
  }
}
