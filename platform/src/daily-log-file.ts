import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';

type Destination = ReturnType<typeof pino.destination>;

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

const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const localTime = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/**
 * The log files operators already tail: `logs/app_YYYY-MM-DD.log` (server local date), one line
 * per entry in the seed's format, with the writing service (all of them share the file) before
 * the message: `2025-11-12 15:30:00 | INFO | [ingress] Webhook received: ...`.
 * Takes pino's JSON lines and starts a new file when the date changes.
 */
export class DailyLogFile extends Writable {
  #date = '';
  #file: Destination | undefined;

  constructor(private readonly directory: string) {
    super({ decodeStrings: false });
    mkdirSync(directory, { recursive: true });
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const entry = JSON.parse(String(chunk)) as {
      time?: number;
      level?: number;
      msg?: string;
      name?: string;
      err?: { message?: string };
    };
    const at = new Date(entry.time ?? Date.now());
    const date = localDate(at);
    if (date !== this.#date) this.#rotate(date);
    const level = LEVEL_NAMES[entry.level ?? 30] ?? 'INFO';
    const error = entry.err?.message ? ` (${entry.err.message})` : '';
    const service = entry.name ? `[${entry.name}] ` : '';
    this.#file?.write(
      `${date} ${localTime(at)} | ${level} | ${service}${escapeControl(`${entry.msg ?? ''}${error}`)}\n`,
    );
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#close(callback);
  }

  #rotate(date: string): void {
    this.#close();
    this.#date = date;
    this.#file = pino.destination({ dest: join(this.directory, `app_${date}.log`), sync: false, mkdir: true });
  }

  #close(callback?: () => void): void {
    const file = this.#file;
    this.#file = undefined;
    if (!file) return void callback?.();
    file.once('close', () => callback?.());
    file.end();
  }
}
