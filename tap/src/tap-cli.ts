import { eventLogTool, runCommandLine, UsageError } from '@vsp/platform';
import { dlqTopicName, PRODUCT_EVENT_TYPES } from '@vsp/schemas';
import { type TapOptions, tap } from './tap.js';

const USAGE = `usage: npm run tap -- [options]
  Prints product events decoded, one per line, without joining a consumer group.
  --from earliest|latest|<ISO time>   where to start (default earliest)
  --to <ISO time>                     stop before the first record at or after this time
  --follow                            keep printing new records (default: stop at the end as it is now)
  --product ID                        only this product's events
  --type EVENT_TYPE                   only ${PRODUCT_EVENT_TYPES.join(', ')}
  --partition N                       only this partition
  --format jsonl|csv                  default jsonl
  --limit N                           stop after N lines
  --dlq                               tap the dead-letter topic (dlq.* headers say why each failed)`;

const options = {
  from: { type: 'string', default: 'earliest' },
  to: { type: 'string' },
  follow: { type: 'boolean', default: false },
  product: { type: 'string' },
  type: { type: 'string' },
  partition: { type: 'string' },
  format: { type: 'string', default: 'jsonl' },
  limit: { type: 'string' },
  dlq: { type: 'boolean', default: false },
} as const;
interface TapValues {
  from: string;
  to?: string | undefined;
  follow: boolean;
  product?: string | undefined;
  type?: string | undefined;
  partition?: string | undefined;
  format: string;
  limit?: string | undefined;
}

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

await runCommandLine({
  name: 'tap',
  usage: USAGE,
  options,
  async run({ values }) {
    const tapOptions = parseOptions(values as TapValues);
    const { config, kafka } = eventLogTool('tap');
    await tap(tapOptions, {
      kafka,
      registryUrl: config.SCHEMA_REGISTRY_URL,
      topic: values.dlq ? dlqTopicName(config.PRODUCT_EVENTS_TOPIC) : config.PRODUCT_EVENTS_TOPIC,
      write: writeLines,
      signal: stop.signal,
      // On stderr, so the lines on stdout stay data: what was sent before this line is not "latest".
      onReading: (topic, range) => {
        if (tapOptions.to !== 'follow') return;
        const from = [...range]
          .sort(([a], [b]) => a - b)
          .map(([partition, { from }]) => `${partition}:${from}`)
          .join(' ');
        console.error(`tap: following ${topic} from offsets ${from}; Ctrl-C stops`);
      },
    });
    return 0;
  },
});

/** Resolves once the lines are taken; waits while the pipe is full, gives up quietly once it is closed. */
function writeLines(lines: string[]): Promise<void> {
  if (stop.signal.aborted || lines.length === 0) return Promise.resolve();
  if (process.stdout.write(`${lines.join('\n')}\n`)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      process.stdout.off('drain', done);
      stop.signal.removeEventListener('abort', done);
      resolve();
    };
    process.stdout.once('drain', done);
    stop.signal.addEventListener('abort', done);
  });
}

function parseOptions(values: TapValues): TapOptions {
  const time = (flag: string, text: string) => {
    const ms = Date.parse(text);
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !Number.isFinite(ms)) {
      throw new UsageError(`${flag} ${text}: expected an ISO time such as 2026-11-28T10:00:00Z`);
    }
    return { time: ms };
  };
  const count = (flag: string, text: string | undefined, min: number) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < min)
      throw new UsageError(`${flag} ${text}: expected a whole number ≥ ${min}`);
    return Number(text);
  };
  if (values.follow && values.to) throw new UsageError('--to and --follow exclude each other');
  if (values.format !== 'jsonl' && values.format !== 'csv') {
    throw new UsageError(`--format ${values.format}: expected jsonl or csv`);
  }
  if (values.type !== undefined && !(PRODUCT_EVENT_TYPES as readonly string[]).includes(values.type)) {
    throw new UsageError(`--type ${values.type}: expected one of ${PRODUCT_EVENT_TYPES.join(', ')}`);
  }
  return {
    from: values.from === 'earliest' || values.from === 'latest' ? values.from : time('--from', values.from),
    to: values.follow ? 'follow' : values.to ? time('--to', values.to) : 'end',
    product: values.product,
    type: values.type,
    partition: count('--partition', values.partition, 0),
    format: values.format,
    limit: count('--limit', values.limit, 1),
  };
}
