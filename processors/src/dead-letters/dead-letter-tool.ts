import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';

export interface DeadLetterRecord {
  dlqPartition: number;
  dlqOffset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** All headers as text: the original ones and the `dlq.*` ones. */
  headers: Record<string, string>;
}

export interface ReplayFilter {
  /** Only letters whose dlq.error.code is this. */
  reason?: string | undefined;
  /** Only letters dead-lettered by this consumer group. */
  group?: string | undefined;
}

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

const matches = (letter: DeadLetterRecord, { reason, group }: ReplayFilter) =>
  (!reason || letter.headers['dlq.error.code'] === reason) &&
  (!group || letter.headers['dlq.consumer.group'] === group);

/**
 * Reads and replays the dead-letter topic. Replaying re-produces the original key, value and
 * headers to the original topic: every processor sees the event again and, being idempotent,
 * applies it if it now can (the image is back, the bug is fixed) and ignores it otherwise.
 */
export class DeadLetterTool {
  constructor(
    private readonly kafka: Kafka,
    private readonly dlqTopic: string,
  ) {}

  /** Every letter from the start of the topic to its current end. */
  async read(): Promise<DeadLetterRecord[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(this.dlqTopic);
    await admin.disconnect();
    const remaining = new Map(ends.filter((p) => p.high !== p.low).map((p) => [p.partition, BigInt(p.high)]));
    const letters: DeadLetterRecord[] = [];
    if (remaining.size === 0) return letters;
    // A throwaway group that never commits: reading is not consuming.
    const consumer = this.kafka.consumer({ groupId: `dlq-reader-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.dlqTopic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              letters.push(toRecord(partition, message));
              if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n)) remaining.delete(partition);
              if (remaining.size === 0) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return letters.sort((a, b) => a.dlqPartition - b.dlqPartition || Number(BigInt(a.dlqOffset) - BigInt(b.dlqOffset)));
  }

  /** Re-produces the matching letters to their original topics; returns how many. */
  async replay(filter: ReplayFilter): Promise<DeadLetterRecord[]> {
    const letters = (await this.read()).filter((letter) => matches(letter, filter));
    if (letters.length === 0) return letters;
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (const letter of letters) {
        const original = Object.fromEntries(
          Object.entries(letter.headers).filter(([name]) => !name.startsWith('dlq.')),
        );
        await producer.send({
          topic: letter.headers['dlq.original.topic'] as string,
          acks: -1,
          messages: [
            {
              key: letter.key,
              value: letter.value,
              headers: {
                ...original,
                'dlq.replayed.from': `${this.dlqTopic}/${letter.dlqPartition}/${letter.dlqOffset}`,
              },
            },
          ],
        });
      }
    } finally {
      await producer.disconnect();
    }
    return letters;
  }
}

function toRecord(partition: number, message: KafkaMessage): DeadLetterRecord {
  return {
    dlqPartition: partition,
    dlqOffset: message.offset,
    key: message.key,
    value: message.value,
    headers: text(message.headers),
  };
}
