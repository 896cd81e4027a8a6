import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { RetryOptions } from './batch-retry.js';
import type { DeadLetterPolicy } from './dead-letter-queue.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import type { Sink, SinkOptions } from './sink-writer.js';

/** What a processor plugs into the runtime. Errors it throws carry `retriable` (see errors.ts). */
export interface RecordHandler<T> extends Sink<T> {
  /** Bytes to a value the sink understands; a permanent error dead-letters the record. */
  decode(message: KafkaMessage): Promise<T>;
  /** The event type, for metrics. */
  label(value: T): string;
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
  sink: SinkOptions;
  retry: RetryOptions;
  health: { intervalMs: number; stallAfterMs: number };
  logger: Logger;
  metrics: ProcessorMetrics;
  /** Default: send and log every letter. */
  deadLetters?: DeadLetterPolicy | undefined;
}
