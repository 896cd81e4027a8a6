import { ensureTopics } from '@vsp/schemas';
import type { Admin, IHeaders, Kafka, KafkaMessage } from 'kafkajs';

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
  /** Also letters replayed before. */
  again?: boolean | undefined;
}

export interface ReplayResult {
  replayed: DeadLetterRecord[];
  /** Matching letters replayed before, left alone without `again`. */
  alreadyReplayed: DeadLetterRecord[];
  /** Matching letters whose value was cut to fit the DLQ: the original is at dlq.original.*. */
  truncated: DeadLetterRecord[];
}

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

const matches = (letter: DeadLetterRecord, { reason, group }: ReplayFilter) =>
  (!reason || letter.headers['dlq.error.code'] === reason) &&
  (!group || belongsTo(letter.headers['dlq.consumer.group'], group));

/** A group named, or one of its index versions' groups (`<group>.<version>.<created>`). */
const belongsTo = (letterGroup: string | undefined, group: string) =>
  letterGroup === group || letterGroup?.startsWith(`${group}.`) === true;

const positionOf = (letter: DeadLetterRecord) => `${letter.dlqPartition}/${letter.dlqOffset}`;

/** Where the failed record is on its own topic. */
export const originalPositionOf = ({ headers }: DeadLetterRecord) =>
  `${headers['dlq.original.topic']}/${headers['dlq.original.partition']}/${headers['dlq.original.offset']}`;

/** The event a letter is about: several letters (a rebuild's, a replay that failed again) may share it. */
const eventOf = (letter: DeadLetterRecord) => letter.headers.event_id ?? originalPositionOf(letter);

/**
 * Reads and replays the dead-letter topic. Replaying re-produces the original key, value and
 * headers to the original topic: every processor sees the event again and, being idempotent,
 * applies it if it now can (the image is back, the bug is fixed) and ignores it otherwise. Each
 * replayed event is then recorded in `<dlq>.replayed` (compacted, keyed by the event id), so an
 * event with several letters goes back once, and running replay again sends only events not
 * replayed before. A crash between the two sends an event twice at worst, which the processors
 * take as a duplicate.
 */
export class DeadLetterTool {
  readonly #ledgerTopic: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly dlqTopic: string,
  ) {
    this.#ledgerTopic = `${dlqTopic}.replayed`;
  }

  /** Every letter from the start of the topic to its current end. */
  read(): Promise<DeadLetterRecord[]> {
    return this.#readAll(this.dlqTopic);
  }

  async #readAll(topic: string): Promise<DeadLetterRecord[]> {
    const ends = await this.#withAdmin((admin) => admin.fetchTopicOffsets(topic));
    const remaining = new Map(ends.filter((p) => p.high !== p.low).map((p) => [p.partition, BigInt(p.high)]));
    const letters: DeadLetterRecord[] = [];
    if (remaining.size === 0) return letters;
    // A throwaway group that never commits: reading is not consuming.
    const consumer = this.kafka.consumer({ groupId: `dlq-reader-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
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

  /** Whether each letter's event has been replayed (earlier ledgers were keyed by the letter's position). */
  async replayed(letters: readonly DeadLetterRecord[]): Promise<boolean[]> {
    await this.#ensureLedger();
    const done = new Set((await this.#readAll(this.#ledgerTopic)).map((entry) => String(entry.key)));
    return letters.map((letter) => done.has(eventOf(letter)) || done.has(positionOf(letter)));
  }

  /** Re-produces the events of the matching letters, each once, not replayed before (all of them with `again`). */
  async replay(filter: ReplayFilter): Promise<ReplayResult> {
    const letters = (await this.read()).filter((l) => matches(l, filter));
    const replayedBefore = await this.replayed(letters);
    const result: ReplayResult = { replayed: [], alreadyReplayed: [], truncated: [] };
    const sending = new Set<string>();
    for (const [i, letter] of letters.entries()) {
      if (letter.value === null && letter.headers['dlq.truncated']?.includes('value')) result.truncated.push(letter);
      else if ((replayedBefore[i] && !filter.again) || sending.has(eventOf(letter)))
        result.alreadyReplayed.push(letter);
      else {
        result.replayed.push(letter);
        sending.add(eventOf(letter));
      }
    }
    if (result.replayed.length === 0) return result;
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (const letter of result.replayed) {
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
        await producer.send({
          topic: this.#ledgerTopic,
          acks: -1,
          messages: [{ key: eventOf(letter), value: new Date().toISOString() }],
        });
      }
    } finally {
      await producer.disconnect();
    }
    return result;
  }

  async #ensureLedger(): Promise<void> {
    const topic = this.#ledgerTopic;
    await this.#withAdmin((admin) =>
      ensureTopics(admin, [topic], async () => [
        { topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ]),
    );
  }

  /** An admin client for `work`, disconnected afterwards whatever happened. */
  async #withAdmin<R>(work: (admin: Admin) => Promise<R>): Promise<R> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
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
