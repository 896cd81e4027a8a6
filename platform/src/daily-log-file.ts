import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LineDestination } from './line-destination.js';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARNING',
  50: 'ERROR',
  60: 'CRITICAL',
};

// A line is one entry: a line break (or any control character) inside a message, from request
// data such as an event_id, is written as an escape so it cannot forge lines of its own.
const CONTROL = /\p{Cc}/gu;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escapeControl = (text: string) =>
  text.replace(CONTROL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** What a pino destination carries to be handed each entry's values (pino/lib/proto.js). */
const PINO_METADATA: unique symbol = Symbol.for('pino.metadata') as never;

const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const localTime = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/**
 * A pino destination writing each entry as one line in the seed's format, with the writing
 * service (all of them share the daily file) before the message:
 * `2025-11-12 15:30:00 | INFO | [ingress] Webhook received: ...`.
 *
 * It asks for pino's metadata: pino hands over each entry's level, message, time and merged
 * object as values before writing its JSON line, so the line is not parsed again (the ingress
 * writes two entries per webhook). Subclasses say where a day's lines go.
 */
abstract class SeedFormatLines {
  readonly [PINO_METADATA] = true;
  /** Set by pino before each write. */
  lastLevel = 30;
  lastMsg: string | undefined;
  /** Epoch milliseconds, as text. */
  lastTime: string | undefined;
  lastObj: { err?: { message?: string } } | undefined;

  constructor(private readonly service: string) {}

  /** Where the lines of `date` (local, YYYY-MM-DD) go. */
  protected abstract destination(date: string): LineDestination | undefined;

  write(_line: string): boolean {
    const at = new Date(Number(this.lastTime) || Date.now());
    const date = localDate(at);
    const level = LEVEL_NAMES[this.lastLevel] ?? 'INFO';
    const error = this.lastObj?.err?.message ? ` (${this.lastObj.err.message})` : '';
    this.destination(date)?.write(
      `${date} ${localTime(at)} | ${level} | [${this.service}] ${escapeControl(`${this.lastMsg ?? ''}${error}`)}\n`,
    );
    return true;
  }
}

/**
 * The log files operators already tail: `logs/app_YYYY-MM-DD.log` (server local date), one line
 * per entry in the seed's format. Starts a new file when the date changes.
 */
export class DailyLogFile extends SeedFormatLines {
  #date = '';
  #file: LineDestination | undefined;

  constructor(
    private readonly directory: string,
    service: string,
  ) {
    super(service);
    mkdirSync(directory, { recursive: true });
  }

  protected destination(date: string): LineDestination | undefined {
    if (date !== this.#date) {
      void this.end();
      this.#date = date;
      this.#file = new LineDestination(join(this.directory, `app_${date}.log`));
    }
    return this.#file;
  }

  flushSync(): void {
    this.#file?.flushSync();
  }

  /** Writes out what is buffered and closes the file. */
  end(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    return file ? file.end() : Promise.resolve();
  }
}

/** The same lines on a terminal (standard output or error), for a person rather than a log shipper. */
export class TerminalLog extends SeedFormatLines {
  readonly #out: LineDestination;

  constructor(fd: 1 | 2, service: string) {
    super(service);
    this.#out = new LineDestination(fd);
  }

  protected destination(): LineDestination {
    return this.#out;
  }

  flushSync(): void {
    this.#out.flushSync();
  }
}
