/// <reference path="./kafkajs-internals.d.ts" />
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import Batch from 'kafkajs/src/consumer/batch.js';

/** One record as it sits on the log. */
export interface LogRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The record's Kafka timestamp (the producer's create time), epoch milliseconds. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Where to read each partition from (inclusive) and to (exclusive; undefined: follow forever). */
export type ReadRange = Map<number, { from: number; to: number | undefined }>;

/** The part of kafkajs' internal cluster the reader uses (kafkajs has no public assign()). */
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(options: { nodeId: string }): Promise<{
    fetch(request: unknown): Promise<{ responses: { topicName: string; partitions: PartitionData[] }[] }>;
  }>;
}

interface PartitionData {
  partition: number;
  errorCode: number;
  messages: (KafkaMessage & { isControlRecord?: boolean })[];
}

const READ_COMMITTED = 1;

/**
 * Reads partitions of a topic by assignment, the way a consumer with `assign()` does in other
 * clients: no consumer group is joined and no offset committed, so reading can never move a
 * production group or show up in `kafka-consumer-groups --list`. kafkajs only offers group
 * consumers, so this fetches through its cluster (the same Fetch requests its consumer sends)
 * and filters with its own Batch (control records, aborted transactions, offsets before the one
 * asked for).
 */
export class LogReader {
  readonly #admin: Admin;
  readonly #cluster: Cluster;
  #closed = false;

  constructor(
    kafka: Kafka,
    readonly topic: string,
  ) {
    this.#admin = kafka.admin();
    const createCluster = Object.getOwnPropertySymbols(kafka).find(
      (symbol) => symbol.description === 'private:Kafka:createCluster',
    );
    if (!createCluster) throw new Error('this kafkajs version does not expose its cluster; the tap needs kafkajs 2.x');
    this.#cluster = (kafka as unknown as Record<symbol, (options: object) => Cluster>)[createCluster]?.({
      metadataMaxAge: 60_000,
      allowAutoTopicCreation: false,
      isolationLevel: READ_COMMITTED,
    }) as Cluster;
  }

  async connect(): Promise<void> {
    await this.#admin.connect();
    await this.#cluster.connect();
    await this.#cluster.addTargetTopic(this.topic);
  }

  /** Each partition's first offset still in the log and the offset the next record will get. */
  async ends(): Promise<Map<number, { low: number; high: number }>> {
    const offsets = await this.#admin.fetchTopicOffsets(this.topic);
    return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
  }

  /** Per partition, the first offset whose timestamp is at or after `time` (the end if none). */
  async offsetsAt(time: number): Promise<Map<number, number>> {
    const [found, ends] = await Promise.all([this.#admin.fetchTopicOffsetsByTimestamp(this.topic, time), this.ends()]);
    return new Map(
      found.map(({ partition, offset }) => [
        partition,
        Number(offset) >= 0 ? Number(offset) : (ends.get(partition)?.high ?? 0),
      ]),
    );
  }

  /**
   * Records of every partition in `range`, batch by batch, each partition in offset order. Ends
   * when every partition reached its `to`, or when `signal` aborts; with `to` undefined it waits
   * for new records.
   */
  async *read(range: ReadRange, signal?: AbortSignal): AsyncGenerator<LogRecord[]> {
    const next = new Map([...range].map(([partition, { from }]) => [partition, from]));
    const open = () => [...next].filter(([p, offset]) => (range.get(p)?.to ?? Number.POSITIVE_INFINITY) > offset);
    while (!this.#closed && !signal?.aborted && open().length > 0) {
      await this.#cluster.refreshMetadataIfNecessary();
      const byLeader = this.#cluster.findLeaderForPartitions(
        this.topic,
        open().map(([p]) => p),
      );
      for (const [nodeId, partitions] of Object.entries(byLeader)) {
        const broker = await this.#cluster.findBroker({ nodeId });
        const response = await broker.fetch({
          replicaId: -1,
          isolationLevel: READ_COMMITTED,
          maxWaitTime: 500,
          minBytes: 1,
          maxBytes: 32 * 1024 * 1024,
          topics: [
            {
              topic: this.topic,
              partitions: partitions.map((partition) => ({
                partition,
                fetchOffset: String(next.get(partition)),
                maxBytes: 4 * 1024 * 1024,
              })),
            },
          ],
        });
        for (const data of response.responses.flatMap((r) => r.partitions)) {
          const from = next.get(data.partition) as number;
          const batch = new Batch(this.topic, String(from), data);
          const to = range.get(data.partition)?.to ?? Number.POSITIVE_INFINITY;
          const last = data.messages.at(-1);
          if (last) next.set(data.partition, Math.max(from, Number(last.offset) + 1));
          const records = (batch.messages as KafkaMessage[])
            .filter((m) => Number(m.offset) < to)
            .map((m) => this.#record(data.partition, m));
          if (records.length > 0) yield records;
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#cluster.disconnect();
    await this.#admin.disconnect();
  }

  #record(partition: number, message: KafkaMessage): LogRecord {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value ?? '');
    }
    return {
      topic: this.topic,
      partition,
      offset: message.offset,
      timestamp: Number(message.timestamp),
      key: message.key ?? null,
      value: message.value ?? null,
      headers,
    };
  }
}
