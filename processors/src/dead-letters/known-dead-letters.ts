import { type DeadLetter, type DeadLetterPolicy, deadLetterKey, keyOfLetter } from '../runtime/dead-letter-queue.js';
import { type DeadLetterRecord, type DeadLetterTool, originalPositionOf } from './dead-letter-tool.js';

/**
 * A rebuild's dead-letter policy. A rebuild reads the whole log again and meets every bad event the
 * live processor dead-lettered already: each would be a duplicate letter (and `dlq replay` would put
 * the event on the topic once per copy) and an ERROR line (8,011 for one rebuild). So the letters in
 * the DLQ when the rebuild starts are read once; an event failing again for the same reason is
 * counted, not sent, and nothing is logged per letter.
 */
export class KnownDeadLetters implements DeadLetterPolicy {
  readonly logEach = false;
  #skipped = 0;

  private constructor(private readonly keys: ReadonlySet<string>) {}

  static async read(tool: DeadLetterTool): Promise<KnownDeadLetters> {
    return new KnownDeadLetters(new Set((await tool.read()).map(keyOfRecord)));
  }

  /** Letters not sent because the DLQ had them already. */
  get skipped(): number {
    return this.#skipped;
  }

  alreadySent = (letter: DeadLetter): boolean => {
    const known = this.keys.has(keyOfLetter(letter));
    if (known) this.#skipped++;
    return known;
  };
}

const keyOfRecord = (record: DeadLetterRecord): string =>
  deadLetterKey(record.headers, originalPositionOf(record), record.headers['dlq.error.code'] ?? 'UNKNOWN');
