import { type Attempt, kafkaErrorTypes } from '@vsp/platform';
import kafkajs, { type Admin, type IHeaders, type KafkaMessage, type Message, type Producer } from 'kafkajs';

export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  /** Where it failed: decode, validate or sink. */
  stage: string;
  error: Error & { code?: string };
  attempts: number;
  firstFailureAt: number;
  lastFailureAt: number;
}

/**
 * What a processor does with its dead letters besides sending them. The live processors send and
 * log each one (the seed's "Failed to process webhook" line); a rebuild, which meets the log's bad
 * events again, leaves out those already in the DLQ for the same reason and only counts the rest
 * for its summary.
 */
export interface DeadLetterPolicy {
  /** True: the DLQ holds a letter for this event and reason already; it is not sent again. */
  alreadySent(letter: DeadLetter): boolean;
  /** Log each letter at ERROR; false: at debug, the caller reports a summary. */
  logEach: boolean;
}

export const SEND_AND_LOG_EACH: DeadLetterPolicy = { alreadySent: () => false, logEach: true };

/** One event failing for one reason: the identity of a letter, whichever run sent it. */
export function deadLetterKey(headers: IHeaders | undefined, fallbackPosition: string, reason: string): string {
  const eventId = headers?.event_id;
  return `${eventId === undefined ? fallbackPosition : String(eventId)}|${reason}`;
}

/** The key of a letter about to be sent (see deadLetterKey). */
export const keyOfLetter = (letter: DeadLetter): string =>
  deadLetterKey(
    letter.message.headers,
    `${letter.topic}/${letter.partition}/${letter.message.offset}`,
    letter.error.code ?? 'UNKNOWN',
  );

const STACK_LINES = 8;
/** Kafka's default max.message.bytes, for when the topic's own setting cannot be read. */
const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
// Per record and per request, what the wire adds to keys, values and headers: generous, so an
// estimate never undershoots.
const RECORD_OVERHEAD_BYTES = 64;
const BATCH_OVERHEAD_BYTES = 1_024;
const TRUNCATED_MESSAGE_CHARS = 1_000;
// kafkajs is CommonJS: its enums come through the default export.
const { ConfigResourceTypes } = kafkajs;
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Writes failed records to `<topic>.dlq`: original key and value bytes, original headers, and
 * `dlq.*` headers saying what failed where (after Kafka Connect's `__connect.errors.*`). Letters
 * go in chunks that fit the topic's max.message.bytes; a letter too large on its own loses its
 * stack trace, then its value, and says so in `dlq.truncated` (the original stays on the source
 * topic at `dlq.original.*`), so that no letter can block the partition behind it.
 */
export class DeadLetterQueue {
  #maxBytes: number | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly admin: Admin,
    private readonly dlqTopic: string,
    private readonly groupId: string,
  ) {}

  static letter(
    source: { topic: string; partition: number },
    message: KafkaMessage,
    stage: string,
    failed: Extract<Attempt<unknown>, { ok: false }>,
  ): DeadLetter {
    const { error, attempts, firstFailureAt, lastFailureAt } = failed;
    return { ...source, message, stage, error, attempts, firstFailureAt, lastFailureAt };
  }

  /** The letters as records, grouped so that each group fits one produce request. */
  async chunks(letters: readonly DeadLetter[]): Promise<Message[][]> {
    const budget = (await this.#maxMessageBytes()) - BATCH_OVERHEAD_BYTES;
    const chunks: Message[][] = [];
    let current: Message[] = [];
    let size = 0;
    for (const letter of letters) {
      const record = fit(this.#record(letter), budget);
      const bytes = sizeOf(record);
      if (current.length > 0 && size + bytes > budget) {
        chunks.push(current);
        current = [];
        size = 0;
      }
      current.push(record);
      size += bytes;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  /**
   * Sends one chunk. Should the broker still find it too large (a limit lower than the one
   * read), it is halved until it fits, and a single record is shrunk to its headers.
   */
  async send(records: Message[]): Promise<void> {
    try {
      await this.producer.send({ topic: this.dlqTopic, acks: -1, messages: records });
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      if (records.length === 1) {
        await this.producer.send({ topic: this.dlqTopic, acks: -1, messages: [fit(records[0] as Message, 0)] });
        return;
      }
      const half = Math.ceil(records.length / 2);
      await this.send(records.slice(0, half));
      await this.send(records.slice(half));
    }
  }

  async #maxMessageBytes(): Promise<number> {
    if (this.#maxBytes === undefined) {
      try {
        await this.admin.connect();
        const { resources } = await this.admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: this.dlqTopic, configNames: ['max.message.bytes'] }],
        });
        const value = Number(resources[0]?.configEntries[0]?.configValue);
        this.#maxBytes = Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_MESSAGE_BYTES;
      } catch {
        return DEFAULT_MAX_MESSAGE_BYTES;
      }
    }
    return this.#maxBytes;
  }

  #record(letter: DeadLetter): Message {
    const { error } = letter;
    return {
      key: letter.message.key,
      value: letter.message.value,
      headers: {
        ...letter.message.headers,
        'dlq.original.topic': letter.topic,
        'dlq.original.partition': String(letter.partition),
        'dlq.original.offset': letter.message.offset,
        'dlq.original.timestamp': letter.message.timestamp,
        'dlq.consumer.group': this.groupId,
        'dlq.stage': letter.stage,
        'dlq.error.class': error.name,
        'dlq.error.code': error.code ?? 'UNKNOWN',
        'dlq.error.message': error.message,
        'dlq.error.stacktrace': (error.stack ?? '').split('\n').slice(0, STACK_LINES).join('\n'),
        'dlq.attempts': String(letter.attempts),
        'dlq.failure.first': new Date(letter.firstFailureAt).toISOString(),
        'dlq.failure.last': new Date(letter.lastFailureAt).toISOString(),
      },
    };
  }
}

const isTooLarge = (error: unknown): boolean => [...kafkaErrorTypes(error)].some((type) => TOO_LARGE.has(type));

const length = (value: Message['value'] | IHeaders[string]): number =>
  value === null || value === undefined
    ? 0
    : Array.isArray(value)
      ? value.reduce((sum: number, v) => sum + length(v), 0)
      : Buffer.byteLength(value as string | Buffer);

function sizeOf(record: Message): number {
  const headers = Object.entries(record.headers ?? {}).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + length(value) + 8,
    0,
  );
  return RECORD_OVERHEAD_BYTES + length(record.key) + length(record.value) + headers;
}

/** Shrinks a record to `budget` bytes: first the stack trace and message, then the value. */
function fit(record: Message, budget: number): Message {
  if (sizeOf(record) <= budget) return record;
  const headers = { ...record.headers };
  headers['dlq.error.stacktrace'] = '';
  headers['dlq.error.message'] = String(headers['dlq.error.message'] ?? '').slice(0, TRUNCATED_MESSAGE_CHARS);
  const truncated: Message = { ...record, headers: { ...headers, 'dlq.truncated': 'stacktrace,message' } };
  if (sizeOf(truncated) <= budget) return truncated;
  return { ...truncated, value: null, headers: { ...headers, 'dlq.truncated': 'stacktrace,message,value' } };
}
