import { setTimeout as delay } from 'node:timers/promises';
import { type BreakerState, breakerState, createBreaker } from '@vsp/platform';
import type { ProductEvent, ProductEventCodec } from '@vsp/schemas';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { IHeaders, Message, Producer, RecordMetadata } from 'kafkajs';
import type CircuitBreaker from 'opossum';
import { EventLogUnavailableError, ShuttingDownError } from '../errors.js';
import { leaderMoving } from './leader-moving.js';

/** After a send failed because a leader moved, the pause before the next try. */
const RESEND_DELAY_MS = 100;

export interface RecordLocation {
  topic: string;
  partition: number;
  offset: string;
}

export interface EventPublisherOptions {
  producer: Pick<Producer, 'send'>;
  /** Which partition the producer chose for each message (see recording-partitioner.ts). */
  partitionOf: WeakMap<Message, number>;
  codec: ProductEventCodec;
  topic: string;
  lingerMs: number;
  maxBatch: number;
  sendTimeoutMs: number;
  breakerResetMs: number;
  breakerErrorPercent: number;
  breakerVolumeThreshold: number;
  /** Events waiting for Kafka at most; past that a webhook is answered 503 at once. */
  maxPending: number;
  /** Resolves when Kafka can take writes, rejects when it cannot: asked every probeIntervalMs. */
  probe: () => Promise<void>;
  probeIntervalMs: number;
  logger: Logger;
}

interface Pending {
  message: Message;
  /** Until when a send that failed because a partition's leader moved is tried again (see #fail). */
  deadline: number;
  resolve: (location: RecordLocation) => void;
  reject: (error: Error) => void;
}

/**
 * Appends events to the log and resolves each caller once the broker has acknowledged its record
 * (acks=all). Concurrent callers are coalesced: while one batch is in flight the next one fills,
 * and a lone caller waits at most `lingerMs` for company.
 *
 * Outages are refused at once, not after a send has timed out. Batches go out one at a time and
 * a failing one takes seconds (the producer's own retries), so a failure rate would notice late.
 * Instead a watchdog asks Kafka every `probeIntervalMs` whether it can take writes: a failed
 * probe, like a failed send, opens the breaker; the events still queued and every new one are
 * then answered "unavailable" at once; a probe that succeeds closes it again. A send that failed
 * because a partition's leader moved is no outage: it is sent again until the events' deadline
 * (see #fail). At most `maxPending` events wait for Kafka; more are refused at once.
 */
export class EventPublisher {
  readonly #options: EventPublisherOptions;
  readonly #breaker: CircuitBreaker<[Message[]], RecordMetadata[]>;
  readonly #breakerListeners: ((state: BreakerState) => void)[] = [];
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #closed = false;
  #lingerMs: number;
  readonly #watchdog: Promise<void>;
  /** What the watchdog's last probe found. */
  #writable = true;
  #announced: BreakerState = 'closed';
  /** Events answered "unavailable" since the breaker opened: one line says how many, not one each. */
  #refused = 0;

  constructor(options: EventPublisherOptions) {
    this.#options = options;
    this.#lingerMs = options.lingerMs;
    this.#breaker = createBreaker((messages: Message[]) => this.#send(messages), {
      timeoutMs: options.sendTimeoutMs,
      resetMs: options.breakerResetMs,
      errorPercent: options.breakerErrorPercent,
      volumeThreshold: options.breakerVolumeThreshold,
      // A leader lost with its broker is not an outage: the batch is sent again (see #fail).
      ignore: leaderMoving,
      onChange: (state) => {
        // The breaker's own timer lets a batch through as a probe after resetMs; while the
        // watchdog still finds Kafka unwritable that batch would only wait to fail.
        if (state === 'half-open' && !this.#writable) return void this.#breaker.open();
        if (state === 'open') {
          if (this.#announced !== 'open')
            options.logger.error('Kafka breaker opened: answering 503 until a probe succeeds');
          this.#refusePending();
        } else if (state === 'half-open') options.logger.warn('Kafka breaker half-open: probing with the next batch');
        else {
          options.logger.info(
            `Kafka breaker closed: publishing again; ${this.#refused} webhooks were answered 503 meanwhile`,
          );
          this.#refused = 0;
        }
        this.#announced = state;
        for (const listener of this.#breakerListeners) listener(state);
      },
    });
    this.#watchdog = this.#watch();
  }

  get breakerState(): BreakerState {
    return breakerState(this.#breaker);
  }

  get schemaId(): number | undefined {
    return this.#options.codec.schemaId;
  }

  get retryAfterSeconds(): number {
    return Math.ceil(this.#options.breakerResetMs / 1000);
  }

  /** Subscribe to breaker transitions (metrics). */
  onBreakerChange(listener: (state: BreakerState) => void): void {
    this.#breakerListeners.push(listener);
  }

  publish(event: ProductEvent, trace: Record<string, string>): Promise<RecordLocation> {
    if (this.#closed) return Promise.reject(new ShuttingDownError());
    if (this.#breaker.opened) {
      return Promise.reject(this.#unavailable('Kafka is unavailable'));
    }
    if (this.#pending.length >= this.#options.maxPending) {
      return Promise.reject(this.#unavailable('Too many events are waiting for Kafka'));
    }
    const message: Message = {
      key: event.data.product_id,
      value: this.#options.codec.encode(event),
      headers: {
        event_type: event.event_type,
        event_id: event.event_id,
        product_id: event.data.product_id,
        received_at: new Date(event.received_at).toISOString(),
        schema_id: String(this.#options.codec.schemaId),
        ...trace,
      } satisfies IHeaders,
    };
    return new Promise((resolve, reject) => {
      this.#pending.push({ message, deadline: Date.now() + this.#options.sendTimeoutMs, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Stops lingering: what is queued is sent now and later events go out at once. Called when
   * shutdown begins, so requests in flight are answered before the HTTP server finishes closing.
   */
  drain(): void {
    this.#lingerMs = 0;
    this.#flush();
  }

  /** Stops taking events, sends what was already accepted, and waits for the last acknowledgement. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    while (this.#pending.length > 0 || this.#inFlight) {
      if (!this.#inFlight) this.#flush();
      await this.#inFlight;
    }
    await this.#watchdog;
    this.#breaker.shutdown();
  }

  #schedule(): void {
    if (this.#inFlight) return; // the in-flight batch flushes the queue when it completes
    if (this.#pending.length >= this.#options.maxBatch || this.#lingerMs === 0) {
      this.#flush();
    } else {
      this.#timer ??= setTimeout(() => this.#flush(), this.#lingerMs);
    }
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#inFlight || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.#options.maxBatch);
    this.#inFlight = this.#breaker
      .fire(batch.map((p) => p.message))
      .then(
        (metadata) => this.#sendAgain(this.#settle(batch, metadata)),
        (error: unknown) => this.#fail(batch, error),
      )
      .then((sendAgain) => {
        this.#inFlight = undefined;
        if (sendAgain) this.#timer ??= setTimeout(() => this.#flush(), RESEND_DELAY_MS);
        else if (this.#pending.length > 0) this.#flush();
      });
  }

  #send(messages: Message[]): Promise<RecordMetadata[]> {
    return this.#options.producer.send({ topic: this.#options.topic, acks: -1, messages });
  }

  /**
   * Answers each event of an acknowledged batch with its offset. Returns those whose partition the
   * acknowledgement leaves out: kafkajs can resolve a send whose retry, after a leader moved, never
   * reached the new leader; those records are not in the log, so they go again.
   */
  #settle(batch: Pending[], metadata: RecordMetadata[]): Pending[] {
    const next = new Map<number, bigint>();
    for (const m of metadata) next.set(m.partition, BigInt(m.baseOffset ?? '-1'));
    const unacknowledged: Pending[] = [];
    for (const pending of batch) {
      const partition = this.#options.partitionOf.get(pending.message);
      const offset = partition === undefined ? undefined : next.get(partition);
      if (partition === undefined || offset === undefined || offset < 0n) {
        unacknowledged.push(pending);
        continue;
      }
      next.set(partition, offset + 1n);
      pending.resolve({ topic: this.#options.topic, partition, offset: offset.toString() });
    }
    return unacknowledged;
  }

  /** Puts events back at the front of the queue, answering 503 those past their deadline. True: some wait. */
  #sendAgain(events: Pending[], cause?: unknown): boolean {
    const now = Date.now();
    this.#reject(
      events.filter((p) => p.deadline <= now),
      'Kafka did not acknowledge the event in time',
      cause,
    );
    const again = events.filter((p) => p.deadline > now);
    this.#pending.unshift(...again);
    return again.length > 0;
  }

  /** The refusal for `count` events (counted for the line that says how many there were). */
  #unavailable(reason: string, cause?: unknown, count = 1): EventLogUnavailableError {
    this.#refused += count;
    return new EventLogUnavailableError(`${reason}; retry later`, this.retryAfterSeconds, { cause });
  }

  /** Events queued but not yet sent, when the breaker opens: nothing of theirs reached Kafka. */
  #refusePending(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#reject(this.#pending.splice(0), 'Kafka is unavailable');
  }

  async #watch(): Promise<void> {
    while (!this.#closed) {
      try {
        await this.#options.probe();
        this.#writable = true;
        if (!this.#breaker.closed) this.#breaker.close();
      } catch (error) {
        this.#writable = false;
        if (!this.#breaker.opened) {
          this.#options.logger.warn({ err: error }, 'Kafka cannot take writes');
          this.#breaker.open();
        }
      }
      await delay(this.#options.probeIntervalMs);
    }
  }

  /**
   * A batch the broker did not acknowledge. When a partition's leader was lost with its broker, the
   * producer knows the new one only after the cluster has elected it (seconds): the batch goes to
   * the front of the queue and is sent again, and each event is answered 503 only once its
   * deadline (PRODUCER_SEND_TIMEOUT_MS after it arrived) has passed. One broker of three lost thus
   * costs no webhook. Any other failure (Kafka refusing writes: too few in-sync replicas, or no
   * broker at all, which the watchdog sees) opens the breaker. True: the batch waits to be sent again.
   */
  #fail(batch: Pending[], cause: unknown): boolean {
    if (leaderMoving(cause) && !this.#breaker.opened) return this.#sendAgain(batch, cause);
    // A send that failed after the producer's own retries means Kafka is not taking writes now.
    if (!this.#breaker.opened) {
      this.#options.logger.warn({ err: cause }, 'Kafka did not acknowledge a batch');
      this.#breaker.open();
    }
    this.#reject(batch, 'Kafka did not acknowledge the event', cause);
    return false;
  }

  #reject(events: Pending[], reason: string, cause?: unknown): void {
    if (events.length === 0) return;
    const error = this.#unavailable(reason, cause, events.length);
    for (const { reject } of events) reject(error);
  }
}
