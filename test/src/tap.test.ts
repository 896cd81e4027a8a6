import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { createEventTopic, type EventTopic, productEvent } from '@vsp/processors/testing';
import { dlqTopicName, type ProductEvent } from '@vsp/schemas';
import { type TapOptions, tap } from '@vsp/tap';
import { type CleanupContext, createKafka, ensureInfra, onCleanup, waitFor } from '@vsp/test-harness';
import { FROM_SOURCE, repoRoot } from './support/service-process.js';

const T0 = Date.UTC(2025, 10, 12, 10);
/** Prices at the edges of what decimal(22,4) holds, and how the tap must print them. */
const PRICES: [string | null, string | null][] = [
  ['15000.5', '15000.5'],
  ['0.0001', '0.0001'],
  ['999999999999999999.9999', '999999999999999999.9999'],
  ['-12.3400', '-12.34'],
  [null, null],
];

/** Events with exact prices and Cyrillic text. */
function catalogue(count: number): ProductEvent[] {
  return Array.from({ length: count }, (_, i) =>
    productEvent(i % 4 === 3 ? 'product.updated' : 'product.created', `p${i % 7}`, T0 + i, {
      title: `Товар «${i}», ёлка`,
      price: (PRICES[i % PRICES.length] as [string | null, string | null])[0],
      currency: 'KGS',
    }),
  );
}

/** Runs the tap in this process and collects its lines. */
async function tapLines(topic: string, options: Partial<TapOptions> = {}, signal?: AbortSignal): Promise<string[]> {
  const { schemaRegistryUrl } = await ensureInfra();
  const lines: string[] = [];
  await tap(
    { from: 'earliest', to: 'end', format: 'jsonl', ...options },
    {
      kafka: await createKafka(),
      registryUrl: schemaRegistryUrl,
      topic,
      write: async (batch) => {
        lines.push(...batch);
      },
      signal,
    },
  );
  return lines;
}

const eventsOf = (lines: string[]) => lines.map((line) => JSON.parse(line));

/**
 * The tap as a process (its arguments and any shell pipe in `shellTail`), killed after the test;
 * `viaNpm` runs it as a user types it, `npm run tap -- …`.
 */
async function startTapCli(t: CleanupContext, topic: string, shellTail: string, { viaNpm = false } = {}) {
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const command = viaNpm ? 'npm run tap --' : `"${process.execPath}" ${FROM_SOURCE.join(' ')} tap/src/tap-cli.ts`;
  const child = spawn('bash', ['-c', `set -o pipefail; ${command} ${shellTail}`], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
      PRODUCT_EVENTS_TOPIC: topic,
    },
  });
  onCleanup(t, () => child.kill('SIGKILL'));
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  return { child, output };
}

/** The tap command line, run by a shell so that pipes behave as a user's do, to its end. */
async function tapCli(t: CleanupContext, topic: string, shellTail: string, options: { viaNpm?: boolean } = {}) {
  const { child, output } = await startTapCli(t, topic, shellTail, options);
  const [code] = await once(child, 'exit');
  return { code, ...output };
}

async function withEvents(t: CleanupContext, events: ProductEvent[]): Promise<EventTopic> {
  const topic = await createEventTopic(t, 3);
  await topic.produce(events);
  return topic;
}

test('tap from earliest should print exactly the produced events, prices exact and Cyrillic intact', async (t) => {
  const events = catalogue(40);
  const topic = await withEvents(t, events);

  const printed = eventsOf(await tapLines(topic.topic));

  assert.equal(printed.length, events.length);
  const byId = new Map(printed.map((line) => [line.event.event_id, line]));
  for (const event of events) {
    const line = byId.get(event.event_id);
    assert.ok(line, `${event.event_id} printed`);
    assert.equal(line.key, event.data.product_id);
    assert.equal(line.topic, topic.topic);
    assert.match(line.offset, /^\d+$/);
    assert.equal(line.headers.event_type, event.event_type);
    assert.equal(line.event.data.title, event.data.title);
    const exact = PRICES.find(([sent]) => sent === event.data.price)?.[1];
    assert.equal(line.event.data.price, exact, `${event.event_id}: price as an exact decimal string`);
    assert.equal(line.event.occurred_at, event.occurred_at);
    assert.equal(line.event.raw_body, '{}', 'raw_body as the original JSON text');
  }
});

test('tap should start at the first record at or after --from and stop before --to', async (t) => {
  const topic = await createEventTopic(t, 3);
  const before = catalogue(12);
  await topic.produce(before);
  const boundary = Date.now() + 1;
  await waitFor(() => Date.now() > boundary, { description: 'the clock to pass the boundary', timeoutMs: 1_000 });
  const after = catalogue(9).map((e) => ({ ...e, event_id: `${e.event_id}-after` }));
  await topic.produce(after);
  const iso = new Date(boundary).toISOString();

  const fromBoundary = eventsOf(await tapLines(topic.topic, { from: { time: boundary } }));
  const toBoundary = eventsOf(await tapLines(topic.topic, { to: { time: boundary } }));

  assert.deepEqual(fromBoundary.map((l) => l.event.event_id).sort(), after.map((e) => e.event_id).sort(), iso);
  assert.deepEqual(toBoundary.map((l) => l.event.event_id).sort(), before.map((e) => e.event_id).sort(), iso);
});

test('tap should filter by --product, --type and --partition', async (t) => {
  const events = catalogue(60);
  const topic = await withEvents(t, events);

  const p3 = eventsOf(await tapLines(topic.topic, { product: 'p3' }));
  const updates = eventsOf(await tapLines(topic.topic, { type: 'product.updated' }));
  const partition = eventsOf(await tapLines(topic.topic, { partition: p3[0]?.partition }));

  assert.deepEqual(
    p3.map((l) => l.event.event_id).sort(),
    events
      .filter((e) => e.data.product_id === 'p3')
      .map((e) => e.event_id)
      .sort(),
  );
  assert.deepEqual(
    updates.map((l) => l.event.event_id).sort(),
    events
      .filter((e) => e.event_type === 'product.updated')
      .map((e) => e.event_id)
      .sort(),
  );
  assert.ok(partition.length > 0 && partition.every((l) => l.partition === p3[0]?.partition));
  assert.ok(partition.some((l) => l.key === 'p3'));
});

test('tap should print a poison record as an error line and go on', async (t) => {
  const topic = await createEventTopic(t, 1);
  const [first, second] = catalogue(2);
  await topic.produce([first as ProductEvent]);
  await topic.produceRaw([
    { key: 'p0', value: Buffer.from('not avro') },
    { key: 'p0', value: Buffer.from([0, 0, 0x7f, 0xff, 0xff, 1, 2]) },
  ]);
  await topic.produce([second as ProductEvent]);

  const lines = eventsOf(await tapLines(topic.topic));

  assert.deepEqual(
    lines.map((l) => l.event?.event_id ?? l.error.code),
    [first?.event_id, 'RECORD_UNDECODABLE', 'RECORD_UNDECODABLE', second?.event_id],
  );
  assert.match(lines[1].error.message, /not Confluent wire format/);
  assert.match(lines[2].error.message, /schema id 8388607 is not in the registry/);
});

test('a following tap should join no consumer group and stop when asked', async (t) => {
  const topic = await withEvents(t, catalogue(5));
  const admin = (await createKafka()).admin();
  await admin.connect();
  onCleanup(t, () => admin.disconnect());
  const groupsBefore = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
  const stop = new AbortController();
  const lines: string[] = [];
  const { schemaRegistryUrl } = await ensureInfra();
  const following = tap(
    { from: 'earliest', to: 'follow', format: 'jsonl' },
    {
      kafka: await createKafka(),
      registryUrl: schemaRegistryUrl,
      topic: topic.topic,
      write: async (batch) => {
        lines.push(...batch);
      },
      signal: stop.signal,
    },
  );
  await waitFor(() => lines.length === 5, { description: 'the existing events', timeoutMs: 30_000 });
  await topic.produce(catalogue(2).map((e) => ({ ...e, event_id: `${e.event_id}-new` })));
  await waitFor(() => lines.length === 7, { description: 'the new events, followed', timeoutMs: 30_000 });
  const groupsWhileRunning = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
  stop.abort();
  await following;

  assert.deepEqual(groupsWhileRunning, groupsBefore);
});

test('npm run tap should exit 0 when piped into head, print CSV with a header, and show dead letters with their headers', async (t) => {
  const topic = await withEvents(t, catalogue(3_000));
  const producer = (await createKafka()).producer();
  await producer.connect();
  onCleanup(t, () => producer.disconnect());
  await producer.send({
    topic: dlqTopicName(topic.topic),
    messages: [{ key: 'p1', value: Buffer.from('junk'), headers: { 'dlq.error.code': 'RECORD_UNDECODABLE' } }],
  });

  const head = await tapCli(t, topic.topic, '| head -n 3');
  const csv = await tapCli(t, topic.topic, '--format csv --limit 2');
  const dlq = await tapCli(t, topic.topic, '--dlq');
  const wrong = await tapCli(t, topic.topic, '--from yesterday');

  assert.equal(head.code, 0, head.stderr);
  assert.equal(head.stdout.trim().split('\n').length, 3);
  assert.equal(csv.code, 0, csv.stderr);
  const [header, row] = csv.stdout.trim().split('\n');
  assert.match(header as string, /^topic,partition,offset,timestamp,key,schema_id,event_id,event_type,/);
  assert.match(row as string, /,"Товар «\d+», ёлка",/);
  assert.equal(dlq.code, 0, dlq.stderr);
  const [letter] = eventsOf(dlq.stdout.trim().split('\n'));
  assert.equal(letter.headers['dlq.error.code'], 'RECORD_UNDECODABLE');
  assert.equal(letter.error.code, 'RECORD_UNDECODABLE');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--from yesterday: expected an ISO time/);
});

test('npm run tap -- --follow --from latest should say on stderr once it reads, and print every event sent after that', async (t) => {
  const topic = await withEvents(t, catalogue(3));
  const { output } = await startTapCli(t, topic.topic, '--follow --from latest');
  await waitFor(() => output.stderr.includes('tap: following'), {
    description: 'the tap to say it follows',
    timeoutMs: 60_000,
  });
  const [late] = catalogue(1).map((e) => ({ ...e, event_id: 'evt-after-the-line' }));

  await topic.produce([late as ProductEvent]);
  await waitFor(() => output.stdout.includes('evt-after-the-line'), {
    description: 'the event sent after the line',
    timeoutMs: 30_000,
  });

  assert.match(
    output.stderr,
    new RegExp(`^tap: following ${topic.topic} from offsets 0:\\d+ 1:\\d+ 2:\\d+; Ctrl-C stops$`, 'm'),
  );
  assert.equal(output.stdout.trim().split('\n').length, 1, 'only the event sent after the line');
});

test('npm run tap, typed as a user types it, should print events only, so that head and jq take its output as it is', async (t) => {
  const topic = await withEvents(t, catalogue(10));

  const head = await tapCli(t, topic.topic, '| head -n 3', { viaNpm: true });

  assert.equal(head.code, 0, head.stderr);
  const lines = head.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  for (const line of lines) assert.ok(JSON.parse(line).event.event_id, line);
});
