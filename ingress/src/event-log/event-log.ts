import { setTimeout as delay } from 'node:timers/promises';
import type { BreakerState } from '@vsp/platform';
import { ABORTED, createKafkaClient, retryUntil } from '@vsp/platform';
import {
  dlqTopicName,
  ensureTopics,
  type ProductEvent,
  ProductEventCodec,
  replicationFor,
  topicSpecs,
} from '@vsp/schemas';
import type { FastifyBaseLogger as Logger } from 'fastify';
import kafkajs, { type Admin, type ITopicMetadata, type Kafka, type Message } from 'kafkajs';
import { EventLogUnavailableError, TopicReplicationError } from '../errors.js';
import { brokerAccepts } from './broker-reachability.js';
import { EventPublisher, type EventPublisherOptions, type RecordLocation } from './event-publisher.js';
import { leaderMoving } from './leader-moving.js';
import { recordingPartitioner } from './recording-partitioner.js';
import { RenewableProducer } from './renewable-producer.js';

// kafkajs is CommonJS: its enums come through the default export.
const { ConfigResourceTypes } = kafkajs;

// How often the publisher asks whether Kafka can take writes: an outage is noticed, and the
// recovery after it, within about this long.
const PROBE_INTERVAL_MS = 250;

export interface ReadinessReport {
  ready: boolean;
  kafka: 'up' | 'down';
  schemaRegistry: 'up' | 'down';
  breaker: BreakerState | 'starting';
}

interface ClusterView {
  topics: ITopicMetadata[];
  brokers: { nodeId: number; host: string; port: number }[];
}

/** The event log's part of the ingress's settings (see eventLogSettingsOf). */
export interface EventLogSettings {
  /** The brokers as configured, comma-separated: the probe tries each once. */
  brokers: string;
  clientId: string;
  topic: string;
  /** Used when the ingress creates the topics. */
  partitions: number;
  /** Asked for when the topics are created; unset: what suits the cluster (see replicationFor). */
  replication: { replicationFactor?: number | undefined; minInsyncReplicas?: number | undefined };
  registryUrl: string;
  publisher: Pick<
    EventPublisherOptions,
    | 'lingerMs'
    | 'maxBatch'
    | 'sendTimeoutMs'
    | 'maxPending'
    | 'breakerResetMs'
    | 'breakerErrorPercent'
    | 'breakerVolumeThreshold'
  >;
}

export interface EventLogOptions {
  settings: EventLogSettings;
  logger: Logger;
  kafka: Kafka;
  /** The event log can never open as configured (see TopicReplicationError): the ingress must stop. */
  onFatal: (error: Error) => void;
}

/**
 * The ingress's view of the event log: topics, registered schema and producer. It connects in the
 * background and keeps trying, so the ingress starts (and answers 503) while Kafka or the registry
 * is still coming up, and serves as soon as both answer.
 */
export class EventLog {
  readonly #settings: EventLogSettings;
  readonly #logger: Logger;
  readonly #admin: Admin;
  /** Asks Kafka once, on a client of its own without retries: the publisher's watchdog. */
  readonly #probeAdmin: Admin;
  readonly #producer: RenewableProducer;
  readonly #partitionOf = new WeakMap<Message, number>();
  #publisher: EventPublisher | undefined;
  #breakerListeners: ((state: BreakerState) => void)[] = [];
  #starting: Promise<void> | undefined;
  /** Aborted by close: stops a connect loop still waiting for Kafka or the registry. */
  readonly #closing = new AbortController();
  #closed = false;
  readonly #onFatal: (error: Error) => void;
  /** What the probe last learnt of the cluster (see #clusterView). */
  #lastView: ClusterView | undefined;
  /** Webhooks answered 503 before the event log could publish: told once it can. */
  #refused = 0;

  constructor({ settings, logger, kafka, onFatal }: EventLogOptions) {
    this.#settings = settings;
    this.#onFatal = onFatal;
    this.#logger = logger;
    this.#admin = kafka.admin();
    this.#probeAdmin = createKafkaClient({
      clientId: `${settings.clientId}-probe`,
      brokers: settings.brokers,
      logger,
      // One try per listed broker: kafkajs moves to the next one after a connection error, so a
      // lost broker that happens to be the probe's first contact does not fail every probe.
      retries: settings.brokers.split(',').length - 1,
    }).admin();
    this.#producer = new RenewableProducer(() =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: recordingPartitioner(this.#partitionOf),
        // Bounded: while Kafka is down the marketplace gets a quick 503 instead of a hanging request.
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      }),
    );
  }

  /** Begins connecting in the background; `ready()` resolves when publishing is possible. */
  start(): void {
    this.#starting ??= this.#connect();
  }

  ready(): Promise<void> {
    this.start();
    return this.#starting as Promise<void>;
  }

  onBreakerChange(listener: (state: BreakerState) => void): void {
    this.#breakerListeners.push(listener);
    this.#publisher?.onBreakerChange(listener);
  }

  publish(event: ProductEvent, trace: Record<string, string>): Promise<RecordLocation> {
    if (!this.#publisher) {
      this.#refused++;
      return Promise.reject(new EventLogUnavailableError('The event log is not connected yet; retry shortly', 1));
    }
    return this.#publisher.publish(event, trace);
  }

  /** Live checks with short timeouts, for the readiness endpoint. */
  async readiness(): Promise<ReadinessReport> {
    const [kafka, schemaRegistry] = await Promise.all([this.#kafkaAnswers(), this.#registryAnswers()]);
    const breaker = this.#publisher?.breakerState ?? 'starting';
    return {
      ready: kafka && schemaRegistry && breaker === 'closed',
      kafka: kafka ? 'up' : 'down',
      schemaRegistry: schemaRegistry ? 'up' : 'down',
      breaker,
    };
  }

  /** Shutdown has begun: send queued events now instead of waiting for company. */
  drain(): void {
    this.#publisher?.drain();
  }

  /** Flushes what was accepted, then disconnects. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    await this.#starting;
    await this.#publisher?.close();
    this.#logger.info('Event log flushed: every accepted event is acknowledged by Kafka');
    await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect(), this.#probeAdmin.disconnect()]);
    this.#logger.info('Event log disconnected');
  }

  async #connect(): Promise<void> {
    const opened = await retryUntil(() => this.#open(), {
      initialMs: 250,
      maxMs: 5_000,
      // Until it is closed the ingress keeps trying (it answers 503 meanwhile), unless a setting
      // can never be satisfied.
      retriable: (error) => !(error instanceof TopicReplicationError),
      signal: this.#closing.signal,
      onRetry: (error, _attempt, waitMs) =>
        this.#logger.warn({ err: error }, `Event log not reachable yet, retrying in ${waitMs} ms`),
    });
    if (opened === ABORTED) return;
    if (!opened.ok) return this.#onFatal(opened.error);
    if (this.#closed) return void (await opened.value.close());
    this.#publisher = opened.value;
    for (const listener of this.#breakerListeners) this.#publisher.onBreakerChange(listener);
    this.#logger.info(`Event log ready: topic ${this.#settings.topic}, schema id ${this.#publisher.schemaId}`);
    if (this.#refused > 0) {
      this.#logger.warn(`${this.#refused} webhooks were answered 503 while the event log was connecting`);
    }
  }

  async #open(): Promise<EventPublisher> {
    const { topic, partitions, registryUrl, publisher } = this.#settings;
    await this.#admin.connect();
    const created = await ensureTopics(this.#admin, [topic, dlqTopicName(topic)], async () =>
      topicSpecs({ topic, partitions, ...(await this.#replication()) }),
    );
    if (created.length > 0) this.#logger.info(`Created topics: ${created.join(', ')}`);
    // TopicNameStrategy: product-events is read with the schema under product-events-value.
    const codec = await ProductEventCodec.register({ registryUrl, subject: `${topic}-value` });
    await this.#producer.connect();
    const minInsync = await this.#minInsyncReplicas(topic);
    return new EventPublisher({
      producer: this.#producer,
      partitionOf: this.#partitionOf,
      codec,
      topic,
      ...publisher,
      probe: () => this.#writable(minInsync),
      probeIntervalMs: PROBE_INTERVAL_MS,
      logger: this.#logger,
    });
  }

  /**
   * How new topics are replicated on this cluster; refuses what it cannot hold. Asked only when a
   * topic is created: a broker down at a restart must not stop an ingress whose topics exist.
   */
  async #replication(): Promise<{ replicationFactor: number; minInsyncReplicas: number }> {
    const { brokers } = await this.#admin.describeCluster();
    const asked = this.#settings.replication;
    const replication = replicationFor(brokers.length, asked);
    if (!replication) {
      throw new TopicReplicationError(
        `PRODUCT_EVENTS_REPLICATION=${asked.replicationFactor} needs that many brokers, but the cluster at ` +
          `${this.#settings.brokers} has ${brokers.length}: lower it, or add brokers`,
      );
    }
    return replication;
  }

  /** The topic's min.insync.replicas, as the broker applies it (1 when it cannot be read). */
  async #minInsyncReplicas(topic: string): Promise<number> {
    const value = await this.#admin
      .describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }],
      })
      .then(({ resources }) => Number(resources[0]?.configEntries[0]?.configValue))
      .catch(() => Number.NaN);
    return Number.isInteger(value) && value > 0 ? value : 1;
  }

  /**
   * Kafka can take our writes: the topic's metadata answers and every partition has at least
   * min.insync.replicas in sync on brokers that accept connections (fewer, and acks=all writes are
   * refused: two brokers of three lost, or the only one).
   */
  async #writable(minInsync: number): Promise<void> {
    const { topics, brokers } = await this.#clusterView();
    if (!topics[0]) throw new Error(`no metadata for ${this.#settings.topic}`);
    const accepting = await Promise.all(brokers.map((b) => brokerAccepts(b.host, b.port)));
    const reachable = new Set(brokers.filter((_, i) => accepting[i]).map((b) => b.nodeId));
    for (const p of topics[0].partitions) {
      // A leader lost with its broker (or none named while the cluster elects one) is elected among
      // the others; writes wait for that (see EventPublisher#fail). Fewer replicas left than
      // min.insync.replicas cannot take them at all.
      const live = p.replicas.filter((r) => reachable.has(r)).length;
      if (Math.min(live, p.isr.length) < minInsync) {
        throw new Error(
          `partition ${p.partitionId} has ${p.isr.length} in-sync replicas, ${live} of them reachable, fewer than ${minInsync}`,
        );
      }
    }
  }

  /**
   * The topic's partitions and the cluster's brokers, asked of each listed broker in turn until one
   * answers. A lost broker that the probe happened to ask is not a lost cluster: when every try
   * failed for want of a connection, the last view stands, and the brokers' open ports decide.
   */
  async #clusterView(): Promise<ClusterView> {
    const attempts = this.#settings.brokers.split(',').length;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#probeAdmin.connect();
        const [{ topics }, { brokers }] = await Promise.all([
          this.#probeAdmin.fetchTopicMetadata({ topics: [this.#settings.topic] }),
          this.#probeAdmin.describeCluster(),
        ]);
        this.#lastView = { topics, brokers };
        return this.#lastView;
      } catch (error) {
        // Starting over from the broker list instead of asking the lost broker again.
        await this.#probeAdmin.disconnect().catch(() => {});
        if (attempt < attempts) continue;
        if (this.#lastView && leaderMoving(error)) return this.#lastView;
        throw error;
      }
    }
  }

  async #kafkaAnswers(): Promise<boolean> {
    try {
      const cluster = await Promise.race([this.#admin.describeCluster(), delay(2_000).then(() => undefined)]);
      return cluster !== undefined && cluster.brokers.length > 0;
    } catch {
      return false;
    }
  }

  async #registryAnswers(): Promise<boolean> {
    try {
      const response = await fetch(`${this.#settings.registryUrl}/subjects`, {
        signal: AbortSignal.timeout(2_000),
      });
      return response.ok;
    } catch {
      return false;
    }
  }
}
