import pino, { type Logger } from 'pino';
import { DailyLogFile, TerminalLog } from './daily-log-file.js';
import { LineDestination } from './line-destination.js';

export interface LoggerOptions {
  /** Service name, added to every JSON line. */
  name: string;
  level: string;
  /** Where the daily seed-format files go; none when undefined. */
  logDir?: string | undefined;
  /** Command-line tools whose standard output is their result log to standard error instead. */
  toStderr?: boolean;
  /** `json` for machines, `text` (the seed's line format) for people; `auto`: text on a terminal. */
  format?: LogFormat;
}

export const LOG_FORMATS = ['auto', 'json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * pino JSON (or readable lines, see `format`) on stdout plus the daily seed-format files. Secrets
 * never reach either: request headers that carry them are redacted.
 */
export function createLogger({ name, level, logDir, toStderr = false, format = 'auto' }: LoggerOptions): Logger {
  const fd = toStderr ? 2 : 1;
  const readable = format === 'text' || (format === 'auto' && (toStderr ? process.stderr : process.stdout).isTTY);
  const streams: pino.StreamEntry[] = [
    { level: level as pino.Level, stream: readable ? new TerminalLog(fd, name) : new LineDestination(fd) },
  ];
  if (logDir) streams.push({ level: level as pino.Level, stream: new DailyLogFile(logDir, name) });
  return pino(
    {
      name,
      level,
      redact: ['req.headers.authorization', 'req.headers["x-webhook-signature"]', '*.secret', '*.secrets'],
    },
    pino.multistream(streams),
  );
}

/** What a service's logging settings (`loggingSettings`) hold. */
export interface LoggingConfig {
  LOG_LEVEL: string;
  LOG_DIR: string;
  LOG_FORMAT: LogFormat;
}

/** A service process's logger, from its logging settings: an empty LOG_DIR writes no daily files. */
export function createServiceLogger(name: string, { LOG_LEVEL, LOG_DIR, LOG_FORMAT }: LoggingConfig): Logger {
  return createLogger({ name, level: LOG_LEVEL, logDir: LOG_DIR || undefined, format: LOG_FORMAT });
}

export type { Logger } from 'pino';
