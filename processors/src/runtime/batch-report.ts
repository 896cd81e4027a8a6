import { ABORTED } from '@vsp/platform';
import type { Logger } from 'pino';
import type { BatchControl, BatchRetry } from './batch-retry.js';
import type { ConsumerHealth } from './consumer-health.js';
import { type DeadLetter, type DeadLetterPolicy, DeadLetterQueue, SEND_AND_LOG_EACH } from './dead-letter-queue.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import type { Written } from './sink-writer.js';

export interface BatchReportOptions<T> {
  /** The processor's name in logs and metric labels. */
  name: string;
  /** The event type of a value, a metric label. */
  label(value: T): string;
  dlq: DeadLetterQueue;
  dlqTopic: string;
  retry: BatchRetry;
  health: ConsumerHealth;
  metrics: ProcessorMetrics;
  logger: Logger;
  /** Default: send and log every letter. */
  deadLetters?: DeadLetterPolicy | undefined;
}

/**
 * What becomes of a batch once the sink has answered: each record's outcome counted, the
 * freshness of what was applied measured, the failed ones sent to the DLQ and logged, the
 * batch's size and time recorded.
 */
export class BatchReport<T> {
  constructor(private readonly options: BatchReportOptions<T>) {}

  /** Counts the written records' outcomes; returns the letters of those the sink refused. */
  outcomes(written: readonly Written<T>[]): DeadLetter[] {
    const { metrics, name, label } = this.options;
    const letters: DeadLetter[] = [];
    const writtenAt = Date.now();
    for (const { record, result } of written) {
      if (!result.ok) {
        const source = { topic: record.topic, partition: record.partition };
        letters.push(DeadLetterQueue.letter(source, record.message, 'sink', result));
        continue;
      }
      metrics.events.inc({ processor: name, event_type: label(record.value), outcome: result.value });
      const receivedAt = Date.parse(String(record.message.headers?.received_at));
      if (result.value === 'applied' && Number.isFinite(receivedAt)) {
        metrics.freshness.observe({ processor: name }, Math.max(0, writtenAt - receivedAt) / 1000);
      }
    }
    return letters;
  }

  /**
   * Sends the letters chunk by chunk; Kafka failing is always worth waiting for. False when the
   * batch was given up before all were sent.
   */
  async deadLetter(letters: readonly DeadLetter[], control: BatchControl): Promise<boolean> {
    if (letters.length === 0) return true;
    const { dlq, retry, deadLetters = SEND_AND_LOG_EACH } = this.options;
    for (const chunk of await dlq.chunks(letters.filter((letter) => !deadLetters.alreadySent(letter)))) {
      const sent = await retry.attempt(() => dlq.send(chunk), control, { dependency: 'kafka', retriable: () => true });
      if (sent === ABORTED) return false;
    }
    for (const letter of letters) this.#reportDeadLetter(letter);
    return true;
  }

  /** A batch of `size` records written and committed, `seconds` after it was fetched. */
  done(size: number, seconds: number): void {
    const { metrics, name, health } = this.options;
    health.batchDone();
    metrics.batchSize.observe({ processor: name }, size);
    metrics.batchDuration.observe({ processor: name }, seconds);
  }

  #reportDeadLetter(letter: DeadLetter): void {
    const { logger, metrics, name, dlqTopic, deadLetters = SEND_AND_LOG_EACH } = this.options;
    const reason = letter.error.code ?? 'UNKNOWN';
    metrics.deadLetters.inc({ processor: name, reason });
    metrics.events.inc({
      processor: name,
      event_type: String(letter.message.headers?.event_type ?? 'unknown'),
      outcome: 'dead_lettered',
    });
    const eventId = String(
      letter.message.headers?.event_id ?? `${letter.topic}/${letter.partition}/${letter.message.offset}`,
    );
    logger[deadLetters.logEach ? 'error' : 'debug'](
      `Failed to process webhook: ${eventId} (${reason} at ${letter.stage}: ${letter.error.message}); sent to ${dlqTopic}`,
    );
  }
}
