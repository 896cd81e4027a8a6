import { catalogueHistories, createEventTopic } from '@vsp/processors/testing';
import { type ProductEvent, ProductEventCodec } from '@vsp/schemas';
import { createKafka, createTestDatabase, ensureInfra, uniqueGroupId, waitFor } from '@vsp/test-harness';
import { persistenceProcess } from '../src/support/persistence-process.js';
import { handledEvents } from '../src/support/service-process.js';
import { CleanupScope } from './cleanup-scope.js';
import { cpuSeconds, serve } from './served-process.js';

export interface PersistenceBenchOptions {
  products: number;
  naiveEvents: number;
}

/**
 * What a straightforward consumer would do: one autocommitted upsert per event, guarded by the
 * event time, consuming with eachMessage. Same table, same events, same machine.
 */
async function naivePerRowInsert(scope: CleanupScope, topic: string, count: number): Promise<number> {
  const database = await createTestDatabase(scope);
  await database.pool.query(`CREATE TABLE products (product_id text PRIMARY KEY, title text, description text, category text,
    price numeric(22,4), currency text, image_key text, deleted boolean NOT NULL DEFAULT false, last_event_at timestamptz)`);
  const codec = ProductEventCodec.reader((await ensureInfra()).schemaRegistryUrl);
  const consumer = (await createKafka()).consumer({ groupId: uniqueGroupId(), maxWaitTimeInMs: 100 });
  await consumer.connect();
  scope.after(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  let done = 0;
  const started = performance.now();
  let finished: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (done >= count) return;
      const event: ProductEvent = await codec.decode(message.value);
      const d = event.data;
      await database.pool.query(
        `INSERT INTO products (product_id, title, description, category, price, currency, image_key, deleted, last_event_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9 / 1000.0))
         ON CONFLICT (product_id) DO UPDATE SET
           title = coalesce(excluded.title, products.title), description = coalesce(excluded.description, products.description),
           category = coalesce(excluded.category, products.category), price = coalesce(excluded.price, products.price),
           currency = coalesce(excluded.currency, products.currency), image_key = coalesce(excluded.image_key, products.image_key),
           deleted = excluded.deleted, last_event_at = excluded.last_event_at
         WHERE products.last_event_at < excluded.last_event_at`,
        [
          d.product_id,
          d.title,
          d.description,
          d.category,
          d.price,
          d.currency,
          d.image_key,
          event.event_type === 'product.deleted',
          event.occurred_at,
        ],
      );
      if (++done === count) finished();
    },
  });
  await all;
  return count / ((performance.now() - started) / 1000);
}

export async function runPersistenceBench({ products, naiveEvents }: PersistenceBenchOptions): Promise<void> {
  const scope = new CleanupScope();
  try {
    const topic = await createEventTopic(scope, 12);
    const events = catalogueHistories(products).flat();
    // Interleave products the way the live stream does, instead of one product's history at a time.
    events.sort((a, b) => a.occurred_at - b.occurred_at);
    await topic.produce(events);
    console.log(`persistence benchmark: ${events.length} events for ${products} products on 12 partitions, pre-filled`);

    // The compiled service as its own process, as production runs it; start-up (Node, migrations,
    // joining the group) and draining are reported apart.
    const { env, port } = await persistenceProcess(scope, {
      topic: topic.topic,
      overrides: { PERSISTENCE_CONCURRENCY: '8' },
    });
    const started = performance.now();
    const persistence = serve(['processors/dist/persistence/main.js'], env);
    scope.after(() => persistence.stop());
    const handled = () => handledEvents(port).catch(() => 0);
    await waitFor(async () => (await handled()) > 0, {
      description: 'the first batch',
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    const consuming = performance.now();
    const cpuAtConsuming = cpuSeconds(persistence.pid);
    await waitFor(async () => (await handled()) >= events.length, {
      description: 'every event handled',
      timeoutMs: 600_000,
      intervalMs: 20,
    });
    const finished = performance.now();
    const drainCpu = cpuSeconds(persistence.pid) - cpuAtConsuming;
    const rate = events.length / ((finished - started) / 1000);
    console.log(
      `  persistence process (compiled; batched, one transaction per batch): ${rate.toFixed(0)} events/s from its start ` +
        `to the last row; start-up to the first batch ${((consuming - started) / 1000).toFixed(1)} s, ` +
        `then ${(events.length / ((finished - consuming) / 1000)).toFixed(0)} events/s, ` +
        `${((drainCpu * 1e6) / events.length).toFixed(1)} µs of its CPU per event`,
    );

    const naive = await naivePerRowInsert(scope, topic.topic, Math.min(naiveEvents, events.length));
    console.log(
      `  naive one upsert per event (first ${Math.min(naiveEvents, events.length)} events): ${naive.toFixed(0)} events/s`,
    );
    console.log(`  speed-up: ${(rate / naive).toFixed(1)}x`);
  } finally {
    await scope.close();
  }
}
