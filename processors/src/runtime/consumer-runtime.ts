import { setTimeout as delay } from 'node:timers/promises';
import {
  ABORTED,
  type Aborted,
  type Attempt,
  BREAKER_GAUGE_VALUE,
  isRetriable,
  kafkaErrorTypes,
  retryUntil,
} from '@vsp/platform';
import type { Admin, Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { EventInvalidError, ProcessorClosedError } from '../errors.js';
import { ConsumerHealth } from './consumer-health.js';
import { type DeadLetter, type DeadLetterPolicy, DeadLetterQueue, SEND_AND_LOG_EACH } from './dead-letter-queue.js';
import type { HealthReport } from './health-server.js';
import type { EventOutcome, ProcessorMetrics } from './processor-metrics.js';
import { SinkBreaker } from './sink-breaker.js';

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
  /** A cheap request that fails while the sink is down, for /health. */
  probe?(): Promise<unknown>;
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
  /** Name of the sink's dependency in logs, metrics and health, e.g. "postgres". */
  sinkName: string;
  retryInitialMs: number;
  retryMaxMs: number;
  breakerResetMs: number;
  breakerErrorPercent: number;
  breakerVolumeThreshold: number;
  /** A sink write slower than this counts as failed (and is retried: writes are idempotent). */
  sinkTimeoutMs: number;
  /** Records handed to one sink write at most. */
  maxRecordsPerWrite: number;
  healthIntervalMs: number;
  stallAfterMs: number;
  logger: Logger;
  metrics: ProcessorMetrics;
  /** Default: send and log every letter. */
  deadLetters?: DeadLetterPolicy | undefined;
}

interface BatchControl {
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the batch was taken away by a rebalance. */
  live(): boolean;
}

/** How often the sink's breaker probes the sink (see SinkBreaker): an outage and the recovery are noticed within about this long. */
const SINK_PROBE_INTERVAL_MS = 500;

const TOPIC_CHECK_INTERVAL_MS = 500;

/** Which dependency a failure is about: the error may say (the image host), else the stage's. */
const dependencyOf = (error: Error, fallback: string) => (error as { dependency?: string }).dependency ?? fallback;

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
  readonly #admin: Admin;
  readonly #dlq: DeadLetterQueue;
  readonly #health: ConsumerHealth;
  readonly #breaker: SinkBreaker<[SinkRecord<T>[]], WriteOutcome[]>;
  #paused = false;
  #closing: Promise<void> | undefined;
  #started = false;
  #fatal: ((error: Error) => void) | undefined;

  constructor(options: ConsumerRuntimeOptions<T>) {
    this.#options = options;
    const { kafka, groupId, sessionTimeoutMs, metrics, logger, sinkName } = options;
    this.#consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 250,
      // Larger fetches make larger batches: one sink transaction covers more records.
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.floor(sessionTimeoutMs / 10),
      // A rebalance waits for members to finish their batch and rejoin: long enough for a write
      // that runs until SINK_TIMEOUT_MS, so a slow write does not cost the member its place.
      rebalanceTimeout: Math.max(60_000, options.sinkTimeoutMs + sessionTimeoutMs),
    });
    this.#producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    // For the DLQ's topic settings and the health checks' offsets: one quick retry, since for a
    // health check a slow answer is itself the news.
    this.#admin = kafka.admin({ retry: { retries: 1 } });
    this.#dlq = new DeadLetterQueue(this.#producer, this.#admin, options.dlqTopic, groupId);
    this.#health = new ConsumerHealth({
      name: options.name,
      groupId,
      topic: options.topic,
      sinkName,
      probeSink: options.handler.probe?.bind(options.handler),
      consumer: this.#consumer,
      admin: this.#admin,
      intervalMs: options.healthIntervalMs,
      stallAfterMs: options.stallAfterMs,
      metrics,
    });
    const labels = { processor: options.name, dependency: sinkName };
    metrics.breaker.set(labels, BREAKER_GAUGE_VALUE.closed);
    let outage = false;
    this.#breaker = new SinkBreaker((records: SinkRecord<T>[]) => options.handler.write(records), {
      timeoutMs: options.sinkTimeoutMs,
      resetMs: options.breakerResetMs,
      errorPercent: options.breakerErrorPercent,
      volumeThreshold: options.breakerVolumeThreshold,
      probe: options.handler.probe?.bind(options.handler),
      sinkName,
      dependencyOf: (error) => dependencyOf(error, sinkName),
      probeIntervalMs: SINK_PROBE_INTERVAL_MS,
      onChange: (state) => {
        metrics.breaker.set(labels, BREAKER_GAUGE_VALUE[state]);
        // Once per outage: a trial write that fails reopens it from half-open, which is no news.
        if (state === 'open' && !outage) {
          logger.error(
            `${this.#breaker.cause} failing: ${sinkName} breaker opened, pausing consumption of ${options.topic}`,
          );
          this.#pause(this.#breaker.cause);
        }
        if (state === 'closed' && outage) {
          logger.info(`${sinkName} breaker closed: consumption resumes`);
          this.#resume();
        }
        outage = state !== 'closed';
      },
    });
  }

  /** Called when the consumer has crashed for good (kafkajs gave up restarting it). */
  onFatal(listener: (error: Error) => void): void {
    this.#fatal = listener;
  }

  async start(): Promise<void> {
    if (this.#closing) throw new ProcessorClosedError();
    this.#started = true;
    const { CRASH, GROUP_JOIN } = this.#consumer.events;
    this.#consumer.on(CRASH, ({ payload }) => {
      // kafkajs sets the restart's timer just after this event, and a disconnect clears it only
      // once it is set: a disconnect made now (close() in progress) would let the restart through.
      if (this.#closing) setImmediate(() => void this.#consumer.disconnect().catch(() => {}));
      else if (!payload.restart) this.#fatal?.(payload.error);
    });
    // kafkajs restarts a crashed consumer on a timer; a restart already under way when close()
    // disconnects goes on and joins again afterwards. Leave again whenever that happens.
    this.#consumer.on(GROUP_JOIN, () => {
      if (this.#closing) void this.#consumer.disconnect().catch(() => {});
    });
    this.#health.start();
    this.#breaker.start();
    await this.#producer.connect();
    await this.#consumer.connect();
    await this.#untilTopicExists();
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

  /**
   * On a first start the ingress creates the topics, and may not have yet: subscribing then fails
   * ("This server does not host this topic-partition") and the process would exit to be restarted.
   */
  async #untilTopicExists(): Promise<void> {
    const { topic, logger } = this.#options;
    for (let attempt = 0; ; attempt++) {
      if (this.#closing) throw new ProcessorClosedError();
      try {
        await this.#admin.connect();
        await this.#admin.fetchTopicMetadata({ topics: [topic] });
        return;
      } catch (error) {
        if (!kafkaErrorTypes(error).has('UNKNOWN_TOPIC_OR_PARTITION')) throw error;
      }
      if (attempt === 0) {
        logger.info(`waiting for topic ${topic}: the ingress creates it on its first start`);
        this.#health.joining(`waiting for topic ${topic}`);
      }
      await delay(TOPIC_CHECK_INTERVAL_MS);
    }
  }

  health(): HealthReport {
    return this.#health.report(this.#closing !== undefined, this.#breaker.state);
  }

  /**
   * Stops fetching; a batch in progress either finishes or is abandoned without committing past
   * what was written; commits; leaves the group; disconnects. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#started) await this.#consumer.disconnect();
      await this.#producer.disconnect();
      await this.#health.close();
      await this.#admin.disconnect();
      await this.#breaker.close();
    })();
    return this.#closing;
  }

  /**
   * A fetched batch goes to the sink in slices of at most `maxRecordsPerWrite` records, each
   * resolved once written or dead-lettered: what one write holds in memory (images, tensors) and
   * how long it takes stay bounded whatever Kafka hands over.
   */
  async #eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    const control: BatchControl = { heartbeat, live: () => isRunning() && !isStale() && !this.#closing };
    const { maxRecordsPerWrite } = this.#options;
    for (let i = 0; i < batch.messages.length; i += maxRecordsPerWrite) {
      const messages = batch.messages.slice(i, i + maxRecordsPerWrite);
      if (!(await this.#process(batch, messages, control))) return;
      // kafkajs commits the resolved offsets as soon as this handler returns (autoCommit without
      // interval or threshold); an aborted slice returns above without resolving anything.
      resolveOffset((messages[messages.length - 1] as KafkaMessage).offset);
      await heartbeat();
    }
  }

  /** Decodes, writes and dead-letters one slice; false when it was given up (closing, rebalance). */
  async #process(batch: Batch, messages: KafkaMessage[], control: BatchControl): Promise<boolean> {
    const started = performance.now();
    const { name, handler, metrics } = this.#options;
    const source = { topic: batch.topic, partition: batch.partition };

    const records: SinkRecord<T>[] = [];
    const letters: DeadLetter[] = [];
    for (const message of messages) {
      const decoded = await this.#attempt('schema-registry', () => handler.decode(message), control);
      if (decoded === ABORTED) return false;
      if (decoded.ok) records.push({ value: decoded.value, ...source, message });
      else {
        const stage = decoded.error instanceof EventInvalidError ? 'validate' : 'decode';
        letters.push(DeadLetterQueue.letter(source, message, stage, decoded));
      }
    }

    const written = await this.#write(records, control);
    if (written === ABORTED) return false;
    const writtenAt = Date.now();
    for (const { record, result } of written) {
      if (result.ok) {
        metrics.events.inc({ processor: name, event_type: handler.label(record.value), outcome: result.value });
        const receivedAt = Date.parse(String(record.message.headers?.received_at));
        if (result.value === 'applied' && Number.isFinite(receivedAt)) {
          metrics.freshness.observe({ processor: name }, Math.max(0, writtenAt - receivedAt) / 1000);
        }
      } else letters.push(DeadLetterQueue.letter(source, record.message, 'sink', result));
    }

    if (letters.length > 0 && !(await this.#deadLetter(letters, control))) return false;
    this.#health.batchDone();
    metrics.batchSize.observe({ processor: name }, messages.length);
    metrics.batchDuration.observe({ processor: name }, (performance.now() - started) / 1000);
    return true;
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
   * Sends the letters chunk by chunk; Kafka failing is always worth waiting for. False when the
   * batch was given up before all were sent.
   */
  async #deadLetter(letters: DeadLetter[], control: BatchControl): Promise<boolean> {
    const { alreadySent } = this.#options.deadLetters ?? SEND_AND_LOG_EACH;
    for (const chunk of await this.#dlq.chunks(letters.filter((letter) => !alreadySent(letter)))) {
      const sent = await this.#attempt(
        'kafka',
        () => this.#dlq.send(chunk),
        control,
        () => true,
      );
      if (sent === ABORTED) return false;
    }
    for (const letter of letters) this.#reportDeadLetter(letter);
    return true;
  }

  /**
   * Runs `work` until it succeeds, fails for good, or the batch is no longer ours. Transient
   * failures wait with backoff (or, while the sink's breaker is open, with the partitions paused)
   * and heartbeat meanwhile so the group keeps the partition.
   */
  async #attempt<R>(
    stage: string,
    work: () => Promise<R>,
    control: BatchControl,
    retriable: (error: Error) => boolean = isRetriable,
  ): Promise<Attempt<R> | Aborted> {
    const { retryInitialMs, retryMaxMs, logger, metrics, name, sinkName } = this.#options;
    const result = await retryUntil(() => this.#keepingAlive(work, control), {
      initialMs: retryInitialMs,
      maxMs: retryMaxMs,
      retriable,
      onRetry: (error, attempts, waitMs) => {
        const dependency = dependencyOf(error, stage);
        metrics.retries.inc({ processor: name, dependency });
        this.#health.failing(dependency, error, attempts);
        if (stage === sinkName && this.#breaker.opened) this.#pause(dependency);
        else logger.warn({ err: error }, `${dependency} failed (attempt ${attempts}), retrying in ${waitMs} ms`);
      },
      wait: async (ms) => {
        if (stage === sinkName) {
          // The backoff ends early when the breaker opens; an open breaker is waited out, and
          // the write is tried again as soon as it closes (the sink is back), not a backoff later.
          await this.#wait(ms, control, () => this.#breaker.opened);
          while (this.#breaker.opened && control.live())
            await this.#wait(SINK_PROBE_INTERVAL_MS, control, () => !this.#breaker.opened);
        } else {
          await this.#wait(ms, control);
        }
        return control.live();
      },
    });
    if (result !== ABORTED) this.#health.recovered();
    if (result !== ABORTED && result.ok && stage === sinkName) this.#resume();
    return result;
  }

  /**
   * Heartbeats while `work` runs: a sink write or an image batch may take longer than the session
   * timeout (SINK_TIMEOUT_MS is 60 s for embedding, the session 30 s), and a member that falls
   * silent that long loses its partitions, then writes the same batch again: a loop.
   */
  async #keepingAlive<R>(work: () => Promise<R>, control: BatchControl): Promise<R> {
    const every = Math.floor(this.#options.sessionTimeoutMs / 10);
    const timer = setInterval(() => void control.heartbeat().catch(() => {}), every);
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

  #pause(dependency: string): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#health.paused(dependency);
    this.#consumer.pause([{ topic: this.#options.topic }]);
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#health.resumed();
    this.#consumer.resume([{ topic: this.#options.topic }]);
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
    const { logEach } = this.#options.deadLetters ?? SEND_AND_LOG_EACH;
    logger[logEach ? 'error' : 'debug'](
      `Failed to process webhook: ${eventId} (${reason} at ${letter.stage}: ${letter.error.message}); sent to ${this.#options.dlqTopic}`,
    );
  }
}
