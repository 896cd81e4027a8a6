import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import {
  createEventTopic,
  productEvent,
  SELECT_CATALOGUE,
  startTestEmbedding,
  startTestPersistence,
} from '@vsp/processors/testing';
import { type ProductEvent, ProductEventCodec } from '@vsp/schemas';
import { evolvedSchema } from '@vsp/schemas/testing';
import { type CleanupContext, confluentPython, ensureInfra, onCleanup, uniqueName } from '@vsp/test-harness';
import { startImageHost } from '@vsp/vector-index/testing';
import { repoRoot, runEntry } from './support/service-process.js';

const run = promisify(execFile);
const T0 = Date.UTC(2025, 10, 12, 10);

const events: ProductEvent[] = [
  productEvent('product.created', 'dc-1', T0, { title: 'Смартфон «Redmi», ёлка', price: '15000.5', currency: 'KGS' }),
  productEvent('product.updated', 'dc-1', T0 + 1, { price: '0.0001' }),
  productEvent('product.created', 'dc-2', T0 + 2, { title: 'Кийим', price: '999999999999999999.9999' }),
  productEvent('product.deleted', 'dc-2', T0 + 3),
];

/** The first ```python block of docs/EVENTS.md, as a file. */
function pythonSnippet(t: CleanupContext): string {
  const doc = readFileSync(join(repoRoot, 'docs/EVENTS.md'), 'utf8');
  const code = /```python\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(code, 'docs/EVENTS.md has a python block');
  const dir = mkdtempSync(join(tmpdir(), 'data-contract-'));
  onCleanup(t, () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'snippet.py');
  writeFileSync(file, code);
  return file;
}

async function runSnippet(t: CleanupContext, topic: string) {
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const { stdout } = await run(await confluentPython(), [pythonSnippet(t)], {
    env: {
      ...process.env,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
      TOPIC: topic,
      GROUP_ID: uniqueName('analytics'),
    },
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

test("the data contract's Python consumer should decode every event once, prices exact and Cyrillic intact", async (t) => {
  const topic = await createEventTopic(t, 3);
  await topic.produce([...events, events[0] as ProductEvent]);

  const printed = await runSnippet(t, topic.topic);

  assert.deepEqual(
    printed.sort((a, b) => a.event_id.localeCompare(b.event_id)),
    [
      {
        event_id: events[0]?.event_id,
        type: 'product.created',
        product_id: 'dc-1',
        title: 'Смартфон «Redmi», ёлка',
        price: '15000.5000',
      },
      { event_id: events[1]?.event_id, type: 'product.updated', product_id: 'dc-1', title: null, price: '0.0001' },
      {
        event_id: events[2]?.event_id,
        type: 'product.created',
        product_id: 'dc-2',
        title: 'Кийим',
        price: '999999999999999999.9999',
      },
      { event_id: events[3]?.event_id, type: 'product.deleted', product_id: 'dc-2', title: null, price: null },
    ].sort((a, b) => (a.event_id as string).localeCompare(b.event_id as string)),
    'the re-sent duplicate is printed once',
  );
});

test("the data contract's JVM consumer should decode the events with Apicurio's serde through the registry's own API", async (t) => {
  const topic = await createEventTopic(t, 1);
  await topic.produce(events);
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const project = join(repoRoot, 'test/jvm');
  await run('mvn', ['-q', '-B', 'package', '-DskipTests'], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
  const classpath = `${join(project, 'target/product-events-jvm-consumer-1.jar')}:${readFileSync(join(project, 'target/classpath.txt'), 'utf8').trim()}`;

  const { stdout } = await run('java', [
    '-cp',
    classpath,
    'kg.bakaimarket.tap.DecodeProductEvents',
    kafkaBrokers.join(','),
    schemaRegistryUrl.replace('/apis/ccompat/v7', '/apis/registry/v3'),
    topic.topic,
    uniqueName('jvm-analytics'),
    String(events.length),
  ]);

  assert.deepEqual(stdout.trim().split('\n'), [
    `dc-1\t${events[0]?.event_id}\tproduct.created\tСмартфон «Redmi», ёлка\t15000.5000`,
    `dc-1\t${events[1]?.event_id}\tproduct.updated\tnull\t0.0001`,
    `dc-2\t${events[2]?.event_id}\tproduct.created\tКийим\t999999999999999999.9999`,
    `dc-2\t${events[3]?.event_id}\tproduct.deleted\tnull\tnull`,
  ]);
});

test('a field added by the producer should leave the data team consumer and both processors working', async (t) => {
  const topic = await createEventTopic(t, 3);
  const { schemaRegistryUrl } = await ensureInfra();
  await topic.produce(events.slice(0, 2));
  const evolved = await ProductEventCodec.register({
    registryUrl: schemaRegistryUrl,
    subject: `${topic.topic}-value`,
    schemaText: evolvedSchema({ name: 'brand', type: ['null', 'string'], default: null }),
  });
  const later = events.slice(2).map((e) => ({ ...e, data: { ...e.data, brand: 'Xiaomi' } }) as ProductEvent);
  await topic.produceRaw(later.map((e) => ({ key: e.data.product_id, value: evolved.encode(e) })));
  const host = await startImageHost(t);
  const persistence = await startTestPersistence(t, topic.topic);
  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl);

  const printed = await runSnippet(t, topic.topic);
  await persistence.waitForHandled(events.length);
  await embedding.waitForHandled(events.length);

  assert.equal(printed.length, events.length, 'the old consumer read both schemas');
  assert.deepEqual(await persistence.query(SELECT_CATALOGUE), [
    {
      product_id: 'dc-1',
      title: 'Смартфон «Redmi», ёлка',
      category: null,
      price: '0.0001',
      currency: 'KGS',
      image_key: null,
      deleted: false,
    },
    {
      product_id: 'dc-2',
      title: 'Кийим',
      category: null,
      price: '999999999999999999.9999',
      currency: null,
      image_key: null,
      deleted: true,
    },
  ]);
  assert.equal((await embedding.store.get(['dc-2'])).get('dc-2')?.payload.deleted, true);
});

test('npm run schema should tell a compatible schema from a breaking one, and show what is registered', async (t) => {
  const topic = await createEventTopic(t, 1);
  const { schemaRegistryUrl } = await ensureInfra();
  const dir = mkdtempSync(join(tmpdir(), 'schema-cli-'));
  onCleanup(t, () => rmSync(dir, { recursive: true, force: true }));
  const breaking = join(dir, 'breaking.avsc');
  writeFileSync(breaking, evolvedSchema({ name: 'seller_id', type: 'string' }));
  const schema = (...args: string[]) =>
    runEntry('schemas/src/schema-cli.ts', args, {
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
      PRODUCT_EVENTS_TOPIC: topic.topic,
    });

  const compatible = await schema('check');
  const refused = await schema('check', '--file', breaking);
  const shown = await schema('show', '--version', '1');
  const missing = await schema('show', '--version', '9');

  assert.equal(compatible.code, 0, compatible.stdout);
  assert.match(compatible.stdout, /compatible with the latest registered version/);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stdout, /NOT compatible/);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, new RegExp(`^subject ${topic.topic}-value {2}version 1 {2}id \\d+$`, 'm'));
  assert.match(shown.stdout, /"name": "ProductEvent"/);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /has no version 9/);
});
