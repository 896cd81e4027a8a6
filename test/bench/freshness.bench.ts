import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { productImage, type TestIndexStore, waitFor } from '@vsp/test-harness';
import { answers, startPipeline } from '../src/support/pipeline-process.js';
import { handledEvents } from '../src/support/service-process.js';
import { postWebhook } from '../src/support/signed-webhook.js';
import { steadyRequests } from '../src/support/steady-load.js';
import { CleanupScope } from './cleanup-scope.js';

export interface FreshnessBenchOptions {
  rate: number;
  durationSeconds: number;
  /** Seconds of load at the start whose events are reported apart: the processes' first seconds. */
  warmUpSeconds: number;
  /** Share of the webhooks that bring a new picture (fetched, decoded, embedded); the rest change fields. */
  imageShare: number;
  /** Where the vector index is: the embedded store (a fresh clone's default) or the real Qdrant. */
  store: TestIndexStore;
}

const PRODUCTS = 20_000;
const PICTURES = 200;

/**
 * `npm start`'s four services as processes, fed a steady stream of signed webhooks; then each
 * processor's freshness histogram (from the ingress accepting an event to its row being in
 * PostgreSQL, its point searchable in the vector index) read from its /metrics.
 */
export async function runFreshnessBench({
  rate,
  durationSeconds,
  warmUpSeconds,
  imageShare,
  store,
}: FreshnessBenchOptions): Promise<void> {
  const scope = new CleanupScope();
  try {
    const images = mkdtempSync(join(tmpdir(), 'freshness-images-'));
    scope.after(() => rmSync(images, { recursive: true, force: true }));
    mkdirSync(join(images, 'pictures'));
    for (let i = 0; i < PICTURES; i++)
      writeFileSync(join(images, 'pictures', `${i}.jpg`), await productImage(70_000 + i));
    const pipeline = await startPipeline(scope, {
      IMAGE_BASE_URL: pathToFileURL(`${images}/`).href,
      VECTOR_STORE: store,
    });
    console.log(
      `freshness benchmark: ${rate} webhooks/s for ${warmUpSeconds} + ${durationSeconds} s through ingress, Kafka and both processors ` +
        `(separate processes, default settings); ${Math.round(imageShare * 100)}% bring a new picture; ` +
        `vector store: ${store === 'qdrant' ? 'Qdrant' : 'the embedded store'}`,
    );

    // The pipeline answers before its processors have joined their consumer groups (Kafka holds a
    // new group's first join back 3 s): the load starts once they consume.
    await waitFor(
      async () =>
        (await answers(pipeline.ports.persistence, '/health')) && (await answers(pipeline.ports.embedding, '/health')),
      { description: 'both processors to be consuming', timeoutMs: 120_000, intervalMs: 100 },
    );
    const url = `http://127.0.0.1:${pipeline.ports.ingress}`;
    let sent = 0;
    let refused = 0;
    const send = async (n: number) => {
      // A product's first event may be any of them: the sinks start a product from whatever comes first.
      const withPicture = (n * 7919) % 100 < imageShare * 100;
      const { status } = await postWebhook(url, {
        event_type: withPicture ? 'product.image.updated' : 'product.updated',
        event_id: `evt_fresh_${n}`,
        timestamp: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
        data: {
          product_id: `p${n % PRODUCTS}`,
          title: `Товар ${n}`,
          price: 100 + (n % 900),
          currency: 'KGS',
          ...(withPicture ? { image_key: `pictures/${(n * 31) % PICTURES}.jpg` } : {}),
        },
      });
      if (status !== 200) refused++;
    };
    const freshness = async (port: number) =>
      histogram(await metricsOf(port), 'visual_search_processor_freshness_seconds');
    const started = Date.now();
    const load = steadyRequests(rate, () => send(sent++));
    // The load's length, not a wait for a condition.
    await delay(warmUpSeconds * 1000);
    const afterWarmUp = {
      persistence: await freshness(pipeline.ports.persistence),
      embedding: await freshness(pipeline.ports.embedding),
    };
    await delay(durationSeconds * 1000);
    await load.stop();
    const sendSeconds = (Date.now() - started) / 1000;
    // Every outcome counts: an event older than what the sink holds (stale) is handled, not timed.
    const handled = handledEvents;
    const lastSent = Date.now();
    await waitFor(
      async () =>
        (await handled(pipeline.ports.persistence)) >= sent - refused &&
        (await handled(pipeline.ports.embedding)) >= sent - refused,
      { description: 'both processors to catch up', timeoutMs: 600_000, intervalMs: 1_000 },
    ).catch(() => console.log('  (the processors had not caught up after 10 minutes; figures are of what they wrote)'));

    console.log(
      `  sent ${sent} in ${sendSeconds.toFixed(1)} s (${(sent / sendSeconds).toFixed(0)}/s), answered non-200: ${refused}; ` +
        `both processors done ${((Date.now() - lastSent) / 1000).toFixed(1)} s after the last webhook`,
    );
    for (const [name, port, what] of [
      ['persistence', pipeline.ports.persistence, 'row in PostgreSQL'],
      ['embedding', pipeline.ports.embedding, 'searchable point'],
    ] as const) {
      const metrics = await metricsOf(port);
      const all = histogram(metrics, 'visual_search_processor_freshness_seconds');
      const steady = minus(all, afterWarmUp[name]);
      console.log(
        `  to a ${what.padEnd(17)} p50 ${ms(quantile(steady, 0.5))}  p99 ${ms(quantile(steady, 0.99))}  (${steady.count} events after the first ${warmUpSeconds} s, ${name})`,
      );
      console.log(
        `  ${' '.repeat(22)} p50 ${ms(quantile(all, 0.5))}  p99 ${ms(quantile(all, 0.99))}  (all ${all.count} events, the first seconds too)`,
      );
      // Where the time goes: an event waits for its whole batch to be written.
      const sizes = histogram(metrics, 'visual_search_processor_batch_size');
      const durations = histogram(metrics, 'visual_search_processor_batch_duration_seconds');
      console.log(
        `    its ${sizes.count} batches: records p50 ${quantile(sizes, 0.5).toFixed(0)}, p99 ${quantile(sizes, 0.99).toFixed(0)}; ` +
          `written in p50 ${ms(quantile(durations, 0.5)).trim()}, p99 ${ms(quantile(durations, 0.99)).trim()}`,
      );
    }
    const embeddingMetrics = await metricsOf(pipeline.ports.embedding);
    const stages = ['lookup', 'fetch', 'decode', 'infer', 'upsert'].map((stage) => {
      const times = histogram(embeddingMetrics, 'visual_search_embedding_stage_seconds', `stage="${stage}"`);
      return `${stage} p50 ${ms(quantile(times, 0.5)).trim()}, p99 ${ms(quantile(times, 0.99)).trim()} (${times.count})`;
    });
    console.log(`    its stages: ${stages.join('; ')}`);
  } finally {
    await scope.close();
  }
}

interface Histogram {
  /** Upper bounds and cumulative counts, in order, +Inf last. */
  buckets: { le: number; count: number }[];
  count: number;
}

/** A processor's /metrics, as it has them now. */
async function metricsOf(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** One of the histograms in a /metrics text, of the series whose labels include `label`. */
function histogram(metrics: string, name: string, label = ''): Histogram {
  const buckets = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\d+)$`, 'gm'))]
    .filter(([, labels]) => labels?.includes(label))
    .map(([, labels, count]) => {
      const le = /le="([^"]+)"/.exec(labels as string)?.[1];
      return { le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: Number(count) };
    });
  return { buckets, count: buckets.at(-1)?.count ?? 0 };
}

/** The observations made between two readings of one histogram. */
function minus(later: Histogram, earlier: Histogram): Histogram {
  const buckets = later.buckets.map(({ le, count }, i) => ({ le, count: count - (earlier.buckets[i]?.count ?? 0) }));
  return { buckets, count: later.count - earlier.count };
}

/** As Prometheus' histogram_quantile: linear within the bucket the rank falls in. */
function quantile({ buckets, count }: Histogram, q: number): number {
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const { le, count: cumulative } of buckets) {
    if (cumulative >= rank) {
      if (!Number.isFinite(le)) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(1, cumulative - below);
    }
    lower = le;
    below = cumulative;
  }
  return lower;
}

const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`.padStart(8);
