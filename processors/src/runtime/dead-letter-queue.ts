import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';

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

const STACK_LINES = 8;

/**
 * Writes failed records to `<topic>.dlq`: original key and value bytes, original headers, and
 * `dlq.*` headers saying what failed where (after Kafka Connect's `__connect.errors.*`).
 */
export class DeadLetterQueue {
  constructor(
    private readonly producer: Producer,
    private readonly dlqTopic: string,
    private readonly groupId: string,
  ) {}

  async send(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic: this.dlqTopic,
      acks: -1,
      messages: letters.map((letter) => ({
        key: letter.message.key,
        value: letter.message.value,
        headers: { ...letter.message.headers, ...this.#headers(letter) },
      })),
    });
  }

  #headers(letter: DeadLetter): IHeaders {
    const { error } = letter;
    return {
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
    };
  }
}
