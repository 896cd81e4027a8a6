import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventTopic, productEvent } from '@vsp/processors/testing';
import { productImage, TEST_INDEX_STORES, type TestIndexStore, waitFor } from '@vsp/test-harness';
import { startImageHost } from '@vsp/vector-index/testing';
import { embeddingProcess } from './support/embedding-process.js';
import { handledEvents, spawnService } from './support/service-process.js';

const EVENTS = 200_000;
const BASELINE_AFTER = 20_000;
const DISTINCT_IMAGES = 1_000;

/**
 * Products in the stream. On Qdrant every event is a new product: nothing but the processor's own
 * state could grow. The embedded store keeps the catalogue in the process (LanceDB's buffers grow
 * with the table), so there the events bring new pictures to 20,000 products over and over: its
 * memory may follow the catalogue, never the number of events.
 */
const PRODUCTS: Record<TestIndexStore, number> = { qdrant: EVENTS, embedded: BASELINE_AFTER };

async function residentBytes(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^visual_search_embedding_process_resident_memory_bytes (\d+)/m.exec(text)?.[1]);
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

for (const { store, title, options } of TEST_INDEX_STORES) {
  test(`on ${title}, embedding should keep its memory bounded over 200,000 events with images`, options, async (t) => {
    const host = await startImageHost(t);
    for (let i = 0; i < DISTINCT_IMAGES; i++) host.put(`img${i}.jpg`, await productImage(90_000 + i));
    const topic = await createEventTopic(t, 3);
    const T0 = Date.UTC(2025, 10, 12);
    for (let from = 0; from < EVENTS; from += 10_000) {
      await topic.produce(
        Array.from({ length: 10_000 }, (_, j) => {
          const n = from + j;
          return productEvent(
            n < PRODUCTS[store] ? 'product.created' : 'product.image.updated',
            `p${n % PRODUCTS[store]}`,
            T0 + n,
            {
              title: `Товар ${n}`,
              image_key: `img${(n + Math.floor(n / PRODUCTS[store])) % DISTINCT_IMAGES}.jpg`,
            },
          );
        }),
      );
    }
    const { env, port } = await embeddingProcess(t, {
      topic: topic.topic,
      imageBaseUrl: host.baseUrl,
      overrides: { VECTOR_STORE: store },
    });
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
}
