import pino, { type Logger } from 'pino';
import { DailyLogFile } from './daily-log-file.js';
import { LineDestination } from './line-destination.js';

export interface LoggerOptions {
  /** Service name, added to every JSON line. */
  name: string;
  level: string;
  /** Where the daily seed-format files go; none when undefined. */
  logDir?: string | undefined;
  /** Command-line tools whose standard output is their result log to standard error instead. */
  toStderr?: boolean;
}

/**
 * pino JSON on stdout plus the daily seed-format files. Secrets never reach either: request
 * headers that carry them are redacted.
 */
export function createLogger({ name, level, logDir, toStderr = false }: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [{ level: level as pino.Level, stream: new LineDestination(toStderr ? 2 : 1) }];
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

export type { Logger } from 'pino';
