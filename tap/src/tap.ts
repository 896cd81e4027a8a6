import { isRetriable, UsageError } from '@vsp/platform';
import { ProductEventCodec } from '@vsp/schemas';
import type { Kafka } from 'kafkajs';
import { LogReader, type LogRecord, type ReadRange } from './log-reader.js';
import { CSV_COLUMNS, csvLine, type Decoded, jsonLine, type TapFormat } from './tap-line.js';

export interface TapOptions {
  /** Where to start: the first record still in the log, the end, or the first record at or after a time. */
  from: 'earliest' | 'latest' | { time: number };
  /** Where to stop: the end as it is when the tap starts, before the first record at or after a time, or never. */
  to: 'end' | 'follow' | { time: number };
  product?: string | undefined;
  type?: string | undefined;
  partition?: number | undefined;
  format: TapFormat;
  limit?: number | undefined;
}

export interface TapDependencies {
  kafka: Kafka;
  registryUrl: string;
  topic: string;
  /** Writes lines (without their newlines); resolves once it may be called again. */
  write(lines: string[]): Promise<void>;
  /** Stops a following tap (Ctrl-C, the reader of the output went away). */
  signal?: AbortSignal | undefined;
  /** Called once the start offsets are fixed: from here on, every new record is read. */
  onReading?: ((topic: string, range: ReadRange) => void) | undefined;
}

/**
 * Prints the topic's records decoded, one line each, by assignment (no consumer group). A record
 * that does not decode is printed as an error line and the tap goes on; the registry being
 * unreachable stops it. Returns the lines printed.
 */
export async function tap(
  options: TapOptions,
  { kafka, registryUrl, topic, write, signal, onReading }: TapDependencies,
) {
  const reader = new LogReader(kafka, topic);
  const codec = ProductEventCodec.reader(registryUrl);
  let printed = 0;
  try {
    await reader.connect();
    const range = await rangeOf(reader, options);
    onReading?.(topic, range);
    if (options.format === 'csv') await write([CSV_COLUMNS.join(',')]);
    for await (const records of reader.read(range, signal)) {
      // One write per fetched batch: a line at a time would cost a system call each.
      const lines: string[] = [];
      for (const record of records) {
        if (options.product !== undefined && record.key?.toString('utf8') !== options.product) continue;
        const decoded = await decode(codec, record);
        if (options.type !== undefined && 'event' in decoded && decoded.event.event_type !== options.type) continue;
        lines.push(options.format === 'csv' ? csvLine(record, decoded) : jsonLine(record, decoded));
        if (printed + lines.length === options.limit) break;
      }
      await write(lines);
      printed += lines.length;
      if (printed === options.limit) break;
    }
    return printed;
  } finally {
    await reader.close();
  }
}

async function rangeOf(reader: LogReader, options: TapOptions): Promise<ReadRange> {
  const ends = await reader.ends();
  if (options.partition !== undefined && !ends.has(options.partition)) {
    throw new UsageError(`${reader.topic} has partitions 0..${ends.size - 1}, not ${options.partition}`);
  }
  const offsetsOf = async (point: 'earliest' | 'latest' | 'end' | { time: number }) => {
    if (typeof point === 'object') return reader.offsetsAt(point.time);
    return new Map([...ends].map(([p, { low, high }]) => [p, point === 'earliest' ? low : high]));
  };
  const from = await offsetsOf(options.from);
  const to = options.to === 'follow' ? undefined : await offsetsOf(options.to);
  const range: ReadRange = new Map();
  for (const partition of ends.keys()) {
    if (options.partition !== undefined && partition !== options.partition) continue;
    range.set(partition, { from: from.get(partition) ?? 0, to: to?.get(partition) });
  }
  return range;
}

async function decode(codec: ProductEventCodec, record: LogRecord): Promise<Decoded> {
  try {
    const { schemaId, value } = await codec.decodeAsWritten(record.value);
    return { schemaId, event: value };
  } catch (error) {
    // The registry being down says nothing about the record: stop rather than print it as broken.
    if (isRetriable(error)) throw error;
    const { code = 'UNKNOWN', message } = error as Error & { code?: string };
    return { error: { code, message } };
  }
}
