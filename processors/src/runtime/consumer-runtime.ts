import { setTimeout as delay } from 'node:timers/promises';
import { ABORTED, kafkaErrorTypes } from '@vsp/platform';
import type { Admin, Batch, Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { EventInvalidError, ProcessorClosedError } from '../errors.js';
import { BatchReport } from './batch-report.js';
import { type BatchControl, BatchRetry } from './batch-retry.js';
import { ConsumerHealth } from './consumer-health.js';
import { type DeadLetter, DeadLetterQueue } from './dead-letter-queue.js';
import type { HealthReport } from './health-server.js';
import type { ConsumerRuntimeOptions } from './runtime-options.js';
import { type SinkRecord, SinkWriter } from './sink-writer.js';

const TOPIC_CHECK_INTERVAL_MS = 500;

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
  readonly #health: ConsumerHealth;
  readonly #retry: BatchRetry;
  readonly #sink: SinkWriter<T>;
  readonly #report: BatchReport<T>;
  #paused = false;
  #closing: Promise<void> | undefined;
  #started = false;
  #fatal: ((error: Error) => void) | undefined;

  constructor(options: ConsumerRuntimeOptions<T>) {
    this.#options = options;
    const { name, kafka, groupId, sessionTimeoutMs, handler, metrics, logger } = options;
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
      rebalanceTimeout: Math.max(60_000, options.sink.timeoutMs + sessionTimeoutMs),
    });
    this.#producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    // For the DLQ's topic settings and the health checks' offsets: one quick retry, since for a
    // health check a slow answer is itself the news.
    this.#admin = kafka.admin({ retry: { retries: 1 } });
    this.#health = new ConsumerHealth({
      name,
      groupId,
      topic: options.topic,
      sinkName: options.sink.name,
      probeSink: handler.probe?.bind(handler),
      consumer: this.#consumer,
      admin: this.#admin,
      intervalMs: options.health.intervalMs,
      stallAfterMs: options.health.stallAfterMs,
      metrics,
    });
    this.#retry = new BatchRetry({
      name,
      retry: options.retry,
      heartbeatIntervalMs: Math.floor(sessionTimeoutMs / 10),
      health: this.#health,
      metrics,
      logger,
    });
    this.#sink = new SinkWriter(handler, options.sink, {
      processor: name,
      retry: this.#retry,
      consumption: { pause: (dependency) => this.#pause(dependency), resume: () => this.#resume() },
      metrics,
      logger,
    });
    this.#report = new BatchReport({
      name,
      label: handler.label.bind(handler),
      dlq: new DeadLetterQueue(this.#producer, this.#admin, options.dlqTopic, groupId),
      dlqTopic: options.dlqTopic,
      retry: this.#retry,
      health: this.#health,
      metrics,
      logger,
      deadLetters: options.deadLetters,
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
    this.#sink.start();
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
    return this.#health.report(this.#closing !== undefined, this.#sink.state);
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
      await this.#sink.close();
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
    const { maxRecordsPerWrite } = this.#options.sink;
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
    const { handler } = this.#options;
    const source = { topic: batch.topic, partition: batch.partition };

    const records: SinkRecord<T>[] = [];
    const letters: DeadLetter[] = [];
    for (const message of messages) {
      const decoded = await this.#retry.attempt(() => handler.decode(message), control, {
        dependency: 'schema-registry',
      });
      if (decoded === ABORTED) return false;
      if (decoded.ok) records.push({ value: decoded.value, ...source, message });
      else {
        const stage = decoded.error instanceof EventInvalidError ? 'validate' : 'decode';
        letters.push(DeadLetterQueue.letter(source, message, stage, decoded));
      }
    }

    const written = await this.#sink.write(records, control);
    if (written === ABORTED) return false;
    letters.push(...this.#report.outcomes(written));
    if (!(await this.#report.deadLetter(letters, control))) return false;
    this.#report.done(messages.length, (performance.now() - started) / 1000);
    return true;
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
}
