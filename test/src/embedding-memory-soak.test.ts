import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventTopic, productEvent, productImage, startImageHost } from '@vsp/processors/testing';
import { waitFor } from '@vsp/test-harness';
import { embeddingProcess } from './support/embedding-process.js';
import { handledEvents, spawnService } from './support/service-process.js';

const EVENTS = 200_000;
const BASELINE_AFTER = 20_000;
const DISTINCT_IMAGES = 1_000;

async function residentBytes(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^visual_search_embedding_process_resident_memory_bytes (\d+)/m.exec(text)?.[1]);
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

test('embedding should keep its memory bounded over 200,000 events with images', async (t) => {
  const host = await startImageHost(t);
  for (let i = 0; i < DISTINCT_IMAGES; i++) host.put(`img${i}.jpg`, await productImage(90_000 + i));
  const topic = await createEventTopic(t, 3);
  const T0 = Date.UTC(2025, 10, 12);
  for (let from = 0; from < EVENTS; from += 10_000) {
    await topic.produce(
      Array.from({ length: 10_000 }, (_, j) =>
        productEvent('product.created', `p${from + j}`, T0 + from + j, {
          title: `Товар ${from + j}`,
          image_key: `img${(from + j) % DISTINCT_IMAGES}.jpg`,
        }),
      ),
    );
  }
  const { env, port } = await embeddingProcess(t, { topic: topic.topic, imageBaseUrl: host.baseUrl });
  spawnService(t, 'processors/src/embedding/main.ts', env);
  const handled = () => handledEvents(port).catch(() => 0);
  const started = Date.now();
  await waitFor(async () => (await handled()) >= BASELINE_AFTER, {
    description: `${BASELINE_AFTER} events`,
    timeoutMs: 600_000,
    intervalMs: 500,
  });
  const baseline = await residentBytes(port);
  const samples: string[] = [];
  await waitFor(
    async () => {
      const count = await handled();
      if (samples.length < Math.floor(count / 20_000)) samples.push(`${count}: ${mib(await residentBytes(port))}`);
      return count >= EVENTS;
    },
    { description: `${EVENTS} events`, timeoutMs: 3_600_000, intervalMs: 1_000 },
  );
  const end = await residentBytes(port);
  const seconds = (Date.now() - started) / 1000;
  t.diagnostic(
    `RSS after ${BASELINE_AFTER} events ${mib(baseline)}, after ${EVENTS} ${mib(end)} (${(end / baseline).toFixed(2)}x)`,
  );
  t.diagnostic(`samples: ${samples.join(', ')}; ${(EVENTS / seconds).toFixed(0)} events/s`);
  assert.ok(end <= baseline * 1.5, `RSS grew from ${mib(baseline)} to ${mib(end)}`);
});
