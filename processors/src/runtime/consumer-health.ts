import type { Admin, Consumer } from 'kafkajs';
import type { HealthReport } from './health-server.js';
import type { ProcessorMetrics } from './processor-metrics.js';

export interface ConsumerHealthOptions {
  name: string;
  groupId: string;
  topic: string;
  /** The sink's name, e.g. "postgres", and a cheap request that fails while it is down. */
  sinkName: string;
  probeSink?: (() => Promise<unknown>) | undefined;
  consumer: Consumer;
  /** For lag and as a probe of Kafka itself; connected on use, disconnected by its owner. */
  admin: Admin;
  intervalMs: number;
  /** A dependency failing this long while a batch waits for it makes the processor "stalled". */
  stallAfterMs: number;
  metrics: ProcessorMetrics;
}

type Membership = 'joining' | 'member' | 'rebalancing' | 'crashed' | 'stopped';

interface Failing {
  dependency: string;
  since: number;
  attempts: number;
  error: string;
}

interface Reachability {
  up: boolean | undefined;
  checkedAt: number;
  error?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What `/health` says about a processor, from what it can observe: membership in the consumer
 * group (kafkajs events), Kafka and the sink probed on a timer, the lag of every assigned
 * partition refreshed on that timer, and from the runtime, which dependency a batch is waiting
 * for and whether consumption is paused. Degraded whenever one of these is wrong, naming it.
 */
export class ConsumerHealth {
  readonly #options: ConsumerHealthOptions;
  #membership: Membership = 'joining';
  #membershipError: string | undefined;
  #assigned: number[] = [];
  #kafka: Reachability = { up: undefined, checkedAt: 0 };
  #sink: Reachability = { up: undefined, checkedAt: 0 };
  #lag: Record<string, number> = {};
  #failing: Failing | undefined;
  #paused: { dependency: string; since: number } | undefined;
  #lastBatchAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #closed = false;

  constructor(options: ConsumerHealthOptions) {
    this.#options = options;
    const { consumer } = options;
    const { GROUP_JOIN, REBALANCING, CRASH, STOP } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.#membership = 'member';
      this.#membershipError = undefined;
      this.#assigned = [...(payload.memberAssignment[options.topic] ?? [])].sort((a, b) => a - b);
      void this.check();
    });
    consumer.on(REBALANCING, () => {
      this.#membership = 'rebalancing';
    });
    consumer.on(CRASH, ({ payload }) => {
      this.#membership = 'crashed';
      this.#membershipError = payload.error.message;
    });
    consumer.on(STOP, () => {
      this.#membership = 'stopped';
    });
  }

  start(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(() => void this.check(), this.#options.intervalMs);
    this.#timer.unref();
    void this.check();
  }

  /** One round of probes; concurrent calls share it. */
  check(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#checking ??= Promise.all([this.#checkKafka(), this.#checkSink()])
      .then(() => undefined)
      .finally(() => {
        this.#checking = undefined;
      });
    return this.#checking;
  }

  /** A batch is waiting for `dependency`; cleared by `recovered`. */
  failing(dependency: string, error: Error, attempts: number): void {
    const since = this.#failing?.dependency === dependency ? this.#failing.since : Date.now();
    this.#failing = { dependency, since, attempts, error: error.message };
  }

  /** Why the consumer has not joined its group yet, while it is still joining. */
  joining(reason: string): void {
    if (this.#membership === 'joining') this.#membershipError = reason;
  }

  recovered(): void {
    this.#failing = undefined;
  }

  paused(dependency: string): void {
    this.#paused ??= { dependency, since: Date.now() };
  }

  resumed(): void {
    this.#paused = undefined;
  }

  batchDone(): void {
    this.#lastBatchAt = Date.now();
  }

  report(closing: boolean, breaker: string): HealthReport {
    const problems: string[] = [];
    const { sinkName, stallAfterMs } = this.#options;
    if (this.#membership !== 'member') {
      problems.push(
        `consumer is not in the group (${this.#membership}${this.#membershipError ? `: ${this.#membershipError}` : ''})`,
      );
    }
    if (this.#kafka.up === false) problems.push(`kafka is unreachable: ${this.#kafka.error}`);
    if (this.#sink.up === false) problems.push(`${sinkName} is unreachable: ${this.#sink.error}`);
    if (this.#paused) problems.push(`consumption is paused: ${this.#paused.dependency} is failing`);
    if (this.#failing && Date.now() - this.#failing.since > stallAfterMs) {
      const seconds = Math.round((Date.now() - this.#failing.since) / 1000);
      problems.push(`stalled: a batch has waited ${seconds} s for ${this.#failing.dependency}: ${this.#failing.error}`);
    }
    const reachability = (r: Reachability) => ({
      state: r.up === undefined ? 'unknown' : r.up ? 'up' : 'down',
      checkedAt: r.checkedAt ? iso(r.checkedAt) : null,
      ...(r.error && !r.up ? { error: r.error } : {}),
    });
    return {
      status: closing ? 'stopping' : problems.length > 0 ? 'degraded' : 'ok',
      problems,
      processor: this.#options.name,
      group: this.#options.groupId,
      topic: this.#options.topic,
      consumer: { state: this.#membership, assigned: this.#assigned },
      kafka: reachability(this.#kafka),
      [sinkName]: { ...reachability(this.#sink), breaker },
      paused: this.#paused ? { dependency: this.#paused.dependency, since: iso(this.#paused.since) } : null,
      waitingFor: this.#failing ? { ...this.#failing, since: iso(this.#failing.since) } : null,
      lag: this.#lag,
      lastBatchAt: this.#lastBatchAt ? iso(this.#lastBatchAt) : null,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#checking?.catch(() => {});
  }

  /** Kafka answers when the group's committed offsets and the topic's end offsets can be read: lag from both. */
  async #checkKafka(): Promise<void> {
    const { admin, groupId, topic, metrics, name } = this.#options;
    try {
      await admin.connect();
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const committedBy = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      const lag: Record<string, number> = {};
      for (const end of ends) {
        if (!this.#assigned.includes(end.partition)) continue;
        const from = committedBy.get(end.partition) ?? -1n;
        lag[end.partition] = Number(BigInt(end.high) - (from < 0n ? BigInt(end.low) : from));
        metrics.lag.set(
          { processor: name, group: groupId, partition: String(end.partition) },
          lag[end.partition] as number,
        );
      }
      // A partition given to another member is its lag now, not ours.
      for (const partition of Object.keys(this.#lag)) {
        if (!(partition in lag)) metrics.lag.remove({ processor: name, group: groupId, partition });
      }
      this.#lag = lag;
      this.#kafka = { up: true, checkedAt: Date.now() };
    } catch (error) {
      this.#kafka = { up: false, checkedAt: Date.now(), error: (error as Error).message };
    }
  }

  async #checkSink(): Promise<void> {
    if (!this.#options.probeSink) return;
    try {
      await this.#options.probeSink();
      this.#sink = { up: true, checkedAt: Date.now() };
    } catch (error) {
      this.#sink = { up: false, checkedAt: Date.now(), error: (error as Error).message };
    }
  }
}
