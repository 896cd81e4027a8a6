import { EmbeddingMetrics, type RebuildOptions } from '@vsp/processors';
import {
  createEventTopic,
  productEvent,
  rebuildOf,
  startTestEmbedding,
  type TestEmbedding,
} from '@vsp/processors/testing';
import type { ProductEvent } from '@vsp/schemas';
import { productImage, type TestIndexStore } from '@vsp/test-harness';
import { EFFICIENTNET_LITE0_MODEL } from '@vsp/vector-index';
import { startImageHost } from '@vsp/vector-index/testing';
import pino from 'pino';
import { benchStores } from './bench-stores.js';
import { CleanupScope } from './cleanup-scope.js';
import { MachineCpu } from './machine-cpu.js';
import { stageLines } from './stage-times.js';

export interface RebuildBenchOptions {
  products: number;
  /** Products in the log of the model-change rebuild (one photo each). */
  modelChangeProducts: number;
  /** Only this store; default: each configured one. */
  store?: TestIndexStore | undefined;
}

/**
 * A same-model rebuild of an index that already holds `products` products (4 events each: created,
 * updated, image updated, updated) next to the live processor's first-time indexing of the same
 * log, in the same run. The rebuild reuses the serving version's vectors, so it runs at Kafka and
 * vector store speed; the first-time indexing fetches, decodes and embeds every product's image.
 */
export async function runRebuildBench({
  products,
  modelChangeProducts,
  store: only,
}: RebuildBenchOptions): Promise<void> {
  for (const { store, title } of benchStores(only)) {
    console.log(`rebuild benchmark on ${title}:`);
    await sameModelRebuild(products, store);
    await modelChangeRebuild(modelChangeProducts, store);
  }
}

async function sameModelRebuild(products: number, store: TestIndexStore): Promise<void> {
  const scope = new CleanupScope();
  try {
    const host = await startImageHost(scope);
    const pool = await Promise.all(Array.from({ length: 100 }, (_, i) => productImage(80_000 + i)));
    const events: ProductEvent[] = [];
    for (let i = 0; i < products; i++) {
      const id = `p${i}`;
      const t0 = Date.UTC(2025, 10, 12) + i;
      host.put(`${id}/a.jpg`, pool[i % pool.length] as Buffer);
      host.put(`${id}/b.jpg`, pool[(i + 1) % pool.length] as Buffer);
      events.push(
        productEvent('product.created', id, t0, { title: `Товар ${i}`, price: '100.5', image_key: `${id}/a.jpg` }),
        productEvent('product.updated', id, t0 + 60_000, { price: `${200 + i}.25` }),
        productEvent('product.image.updated', id, t0 + 120_000, { image_key: `${id}/b.jpg` }),
        productEvent('product.updated', id, t0 + 180_000, { title: `Товар ${i} (новый)` }),
      );
    }
    const topic = await createEventTopic(scope, 3);
    await topic.produce(events);
    console.log(`  ${events.length} events over ${products} products, 3 partitions`);

    const liveStarted = performance.now();
    const embedding = await startTestEmbedding(scope, topic.topic, host.baseUrl, {
      // Finer progress checks only make the measured end of the rebuild sharper.
      REBUILD_PROGRESS_INTERVAL_MS: '500',
      VECTOR_STORE: store,
    });
    await embedding.waitForHandled(events.length, 3_600_000);
    const liveSeconds = (performance.now() - liveStarted) / 1000;

    const cpu = new MachineCpu();
    scope.after(() => cpu.close());
    const started = cpu.mark();
    const { result, metrics, seconds: rebuildSeconds } = await timedRebuild(embedding, 'bench_rebuild_');
    const ended = cpu.mark();
    const total = async (counter: EmbeddingMetrics['vectors']) =>
      (await counter.get()).values.map((v) => `${(v.labels as { source?: string }).source ?? 'fetched'} ${v.value}`);

    console.log(
      `  live processor, first-time indexing: ${(events.length / liveSeconds).toFixed(0)} events/s, ${(products / liveSeconds).toFixed(0)} products/s (${liveSeconds.toFixed(1)} s)`,
    );
    console.log(
      `  same-model rebuild into ${result.version.name}: ${(result.progress.done / rebuildSeconds).toFixed(0)} events/s (${rebuildSeconds.toFixed(1)} s, switched: ${result.switched})`,
    );
    const fillSeconds = rebuildSeconds - result.indexSeconds;
    console.log(
      `    of it filling the version ${fillSeconds.toFixed(1)} s (${(result.progress.done / fillSeconds).toFixed(0)} events/s), indexing it for search ${result.indexSeconds.toFixed(1)} s`,
    );
    console.log(
      `  rebuild / first-time indexing: ${(liveSeconds / rebuildSeconds).toFixed(1)}x; vectors ${(await total(metrics.vectors)).join(', ')}; images ${(await total(metrics.imagesFetched)).join(', ')}`,
    );
    console.log(
      `  per million events: rebuild ≈ ${(1e6 / (result.progress.done / rebuildSeconds) / 60).toFixed(1)} min, first-time ≈ ${(1e6 / (events.length / liveSeconds) / 60).toFixed(1)} min`,
    );
    console.log('  where the rebuild spent its time:');
    for (const line of await stageLines(metrics, rebuildSeconds)) console.log(`    ${line}`);
    const filled = started + fillSeconds * 1000;
    const whole = cpu.span(started, ended);
    for (const [phase, span] of [
      ['filling', cpu.span(started, filled)],
      ['indexing', cpu.span(filled, ended)],
      ['whole rebuild', whole],
    ] as const) {
      console.log(
        `    cpu while ${phase}: the machine busy ${span.machineCores.toFixed(2)} of ${MachineCpu.cores} cores, this process (the rebuild) ${span.ownCores.toFixed(2)}`,
      );
    }
    const coreSeconds = whole.machineCores * whole.seconds;
    console.log(
      `    work ${coreSeconds.toFixed(1)} core-seconds: with every core busy throughout, at most ${((result.progress.done * MachineCpu.cores) / coreSeconds).toFixed(0)} events/s on this machine`,
    );
  } finally {
    await scope.close();
  }
}

/**
 * The operator's first real model change: an index the live processor built with the colour
 * descriptor is rebuilt with the default pretrained model (every image fetched and embedded
 * again) and switched to, while the alias is asked every 100 ms whether it answers.
 */
async function modelChangeRebuild(products: number, store: TestIndexStore): Promise<void> {
  const scope = new CleanupScope();
  try {
    const host = await startImageHost(scope);
    const photos = await Promise.all(Array.from({ length: products }, (_, i) => productImage(60_000 + i)));
    for (const [i, photo] of photos.entries()) host.put(`p${i}/main.jpg`, photo);
    const topic = await createEventTopic(scope, 3);
    await topic.produce(
      photos.map((_, i) =>
        productEvent('product.created', `p${i}`, Date.UTC(2025, 10, 12) + i, {
          title: `Товар ${i}`,
          image_key: `p${i}/main.jpg`,
        }),
      ),
    );
    const embedding = await startTestEmbedding(scope, topic.topic, host.baseUrl, {
      REBUILD_PROGRESS_INTERVAL_MS: '500',
      VECTOR_STORE: store,
    });
    await embedding.waitForHandled(products, 3_600_000);
    const before = (await embedding.versions.serving())?.modelId;

    const searches = { done: 0, failed: 0 };
    let searching = true;
    const searcher = (async () => {
      while (searching) {
        // A count through the alias: the dimension changes at the switch, so a fixed query vector
        // could not ask both versions.
        await embedding.store
          .count()
          .then(() => searches.done++)
          .catch(() => searches.failed++);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const { result, metrics, seconds } = await timedRebuild(embedding, 'bench_model_change_', {
      id: EFFICIENTNET_LITE0_MODEL.id,
    });
    searching = false;
    await searcher;
    const after = await embedding.versions.serving();
    const served = await embedding.store.count();

    console.log(
      `  model change ${before} → ${after?.modelId} (${products} products, one photo each, rebuilt into ${result.version.name}): ` +
        `${(products / seconds).toFixed(1)} images/s (${seconds.toFixed(1)} s, switched: ${result.switched}); ` +
        `the alias answered ${searches.done} of ${searches.done + searches.failed} checks every 100 ms meanwhile; ${served} points served after`,
    );
    console.log('  where the model change spent its time:');
    for (const line of await stageLines(metrics, seconds)) console.log(`    ${line}`);
  } finally {
    await scope.close();
  }
}

/** A rebuild of the index `embedding` keeps, with metrics of its own, timed. */
async function timedRebuild(embedding: TestEmbedding, metricsPrefix: string, model?: RebuildOptions['model']) {
  const started = performance.now();
  const { result, metrics } = await rebuildOf(embedding, {
    metrics: new EmbeddingMetrics(metricsPrefix),
    logger: pino({ level: 'warn' }),
    model,
  });
  return { result, metrics, seconds: (performance.now() - started) / 1000 };
}
