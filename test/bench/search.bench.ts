import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nearDuplicate, productImage, seededRandom } from '@vsp/processors/testing';
import { startTestSearch } from '@vsp/search/testing';
import { createVectorIndex, startQdrantCluster, type TestIndexStore, type TestVectorIndex } from '@vsp/test-harness';
import { type IndexVersions, imageToTensor, openModel, type ProductPoint, type Quantization } from '@vsp/vector-index';
import { testVersionsOf } from '@vsp/vector-index/testing';
import { benchStores } from './bench-stores.js';
import { CleanupScope } from './cleanup-scope.js';

export interface SearchBenchOptions {
  points: number;
  requests: number;
  /** The built-in model the points and the queries are embedded with. */
  model: string;
  /** Only this store; default: each configured one. */
  store?: TestIndexStore | undefined;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

/**
 * Searches/s and latency per stage of the search service over `points` indexed points (real
 * vectors of 500 photos from `model`, each repeated with small noise), with 1 and 8 concurrent
 * clients uploading recompressed photos over HTTP, on each store side by side; and the recall@10
 * of each store's approximate search against an exact one.
 */
export async function runSearchBench({
  points,
  requests,
  model: modelId,
  store: only,
}: SearchBenchOptions): Promise<void> {
  const scope = new CleanupScope();
  try {
    const cache = mkdtempSync(join(tmpdir(), 'search-bench-'));
    scope.after(() => rmSync(cache, { recursive: true, force: true }));
    const model = await openModel({
      MODEL: modelId,
      MODEL_CACHE_DIR: cache,
      INFERENCE_THREADS: 1,
      INFERENCE_BATCH_MAX: 32,
    });
    scope.after(() => model.close());
    const photos = await Promise.all(Array.from({ length: 500 }, (_, i) => productImage(90_000 + i)));
    const base = await model.embed(await Promise.all(photos.map((p) => imageToTensor(p, model.spec, 40_000_000))));
    const next = seededRandom(7);
    const vectors = Array.from({ length: points }, (_, j) => {
      const vector = Float32Array.from(
        base[j % base.length] as Float32Array,
        (v) => v + (j < base.length ? 0 : (next() - 0.5) * 0.02),
      );
      const norm = Math.hypot(...vector);
      return vector.map((v) => v / norm);
    });
    const queries = await Promise.all(photos.slice(0, RECALL_QUERIES).map((p) => nearDuplicate(p)));
    const queryVectors = await model.embed(
      await Promise.all(queries.map((photo) => imageToTensor(photo, model.spec, 40_000_000))),
    );
    const truth = queryVectors.map((query) => exactNearest(vectors, query, 10));
    console.log(
      `search benchmark: ${points} points of ${modelId} (${model.dimension} dimensions), ${requests} searches per run`,
    );

    for (const { store, title, quantization } of searchVariants(only)) {
      const variant = new CleanupScope();
      scope.after(() => variant.close());
      const { index, rss } = await indexFor(variant, store);
      const versions = testVersionsOf(variant, index);
      const version = await versions.ensureServing({
        modelId,
        modelDir: null,
        dimension: model.dimension,
        groupPrefix: 'bench',
        quantization,
      });
      const rssBefore = await rss();
      const target = versions.store(version.name);
      const started = performance.now();
      for (let i = 0; i < points; i += 1_000) {
        await target.upsert(
          vectors.slice(i, i + 1_000).map((vector, k) => ({
            productId: `p${i + k}`,
            vector,
            payload: payloadOf(i + k, modelId),
          })),
        );
      }
      console.log(`  on ${title}: upserted in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      console.log(`    ${await prepare(store, versions, version.name)}`);
      const rssAfter = await rss();
      if (rssAfter && rssBefore) {
        const perMillion = (kb: number) => `${((kb * 1024 * 1_000_000) / points / 2 ** 30).toFixed(2)} GiB`;
        console.log(
          `    Qdrant's memory for the points: RSS +${perMillion(rssAfter.rss - rssBefore.rss)} per million points, ` +
            `of it anonymous (not file pages the kernel can drop) +${perMillion(rssAfter.anonymous - rssBefore.anonymous)}`,
        );
      }

      let hits = 0;
      for (const [i, query] of queryVectors.entries()) {
        const found = await target.search(query, 10);
        hits += found.filter((hit) => truth[i]?.has(Number(hit.productId.slice(1)))).length;
      }
      console.log(`    recall@10 against exact search: ${(hits / (queryVectors.length * 10)).toFixed(3)}`);

      const search = await startTestSearch(scope, {
        ...index.env,
        MODEL_CACHE_DIR: cache,
        IMAGE_BASE_URL: 'http://127.0.0.1:1/images/',
      });
      for (const clients of [1, 8]) {
        search.metrics.stageSeconds.reset();
        const latencies: number[] = [];
        let sent = 0;
        const begun = performance.now();
        await Promise.all(
          Array.from({ length: clients }, async () => {
            while (sent < requests) {
              const photo = queries[sent++ % queries.length] as Buffer;
              const form = new FormData();
              form.append('image', new Blob([photo], { type: 'image/jpeg' }), 'q.jpg');
              const t0 = performance.now();
              const response = await fetch(`${search.url}/api/v1/search?k=10`, { method: 'POST', body: form });
              await response.json();
              if (!response.ok) throw new Error(`search answered ${response.status}`);
              latencies.push((performance.now() - t0) / 1000);
            }
          }),
        );
        const seconds = (performance.now() - begun) / 1000;
        latencies.sort((a, b) => a - b);
        console.log(
          `    ${clients} client(s): ${(latencies.length / seconds).toFixed(0)} searches/s, p50 ${ms(percentile(latencies, 0.5))}, p99 ${ms(percentile(latencies, 0.99))} (HTTP, ${latencies.length} searches)`,
        );
        for (const line of await stagePercentiles(search.metrics.stageSeconds)) console.log(line);
      }
    }
  } finally {
    await scope.close();
  }
}

/** Queries whose recall is measured (the exact nearest of each are found by brute force here). */
const RECALL_QUERIES = 50;

/** The indexes of the `k` vectors nearest to `query` (all are unit length: the largest dot products). */
function exactNearest(vectors: readonly Float32Array[], query: Float32Array, k: number): Set<number> {
  const scored = vectors.map((vector, i) => {
    let dot = 0;
    for (let d = 0; d < vector.length; d++) dot += (vector[d] as number) * (query[d] as number);
    return { i, dot };
  });
  return new Set(
    scored
      .sort((a, b) => b.dot - a.dot)
      .slice(0, k)
      .map(({ i }) => i),
  );
}

/** The embedded store, then Qdrant with float vectors and with int8 copies, where Qdrant is configured. */
interface SearchVariant {
  store: TestIndexStore;
  title: string;
  quantization: Quantization;
}

const searchVariants = (only: TestIndexStore | undefined) =>
  benchStores(only).flatMap(({ store, title }): SearchVariant[] =>
    store === 'embedded'
      ? [{ store, title, quantization: 'none' }]
      : [
          { store, title: `${title} (float32)`, quantization: 'none' },
          { store, title: `${title} (int8, re-scored with float32 from disk)`, quantization: 'int8' },
        ],
  );

/**
 * An index for one variant, and a reader of the memory of the process that holds it: Qdrant runs
 * a server of its own, so that its growth is this variant's points alone.
 */
async function indexFor(
  scope: CleanupScope,
  store: TestIndexStore,
): Promise<{ index: TestVectorIndex; rss: () => Promise<{ rss: number; anonymous: number } | undefined> }> {
  if (store === 'embedded') return { index: await createVectorIndex(scope, store), rss: async () => undefined };
  const server = await startQdrantCluster(scope, 1);
  const index = {
    store,
    alias: 'products',
    env: { VECTOR_STORE: store, VECTOR_ALIAS: 'products', QDRANT_URL: server.url },
  };
  return {
    index,
    async rss() {
      const status = readFileSync(`/proc/${await server.pid(1)}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      return { rss: kb('VmRSS'), anonymous: kb('RssAnon') };
    },
  };
}

/** Gets a freshly filled version ready to search, as a rebuild does before it serves, and says how long it took. */
async function prepare(store: TestIndexStore, versions: IndexVersions, name: string): Promise<string> {
  const started = performance.now();
  await versions.optimize(name);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  return store === 'embedded'
    ? `compacted and ANN-indexed (IVF-PQ) in ${seconds} s`
    : `HNSW index (m=16, ef_construct=100) built ${seconds} s after the last upsert`;
}

function payloadOf(j: number, modelId: string): ProductPoint['payload'] {
  const price = 100 + (j % 5_000);
  return {
    product_id: `p${j}`,
    title: `Товар ${j}`,
    description: null,
    category: j % 2 === 0 ? 'Обувь' : 'Одежда',
    price: String(price),
    price_value: price,
    currency: 'KGS',
    image_key: `p${j}/main.jpg`,
    deleted: false,
    deleted_at: null,
    versions: {},
    last_event_id: `evt_${j}`,
    last_event_type: 'product.created',
    event_time: 0,
    image_source: `p${j}/main.jpg@`,
    image_sha256: null,
    model_id: modelId,
    searchable: true,
  };
}

/** p50/p99 per stage, estimated from the histogram's buckets (the upper bound of the bucket). */
async function stagePercentiles(histogram: {
  get(): Promise<{ values: { labels: Record<string, unknown>; value: number; metricName?: string }[] }>;
}) {
  const { values } = await histogram.get();
  const lines: string[] = [];
  for (const stage of ['decode', 'embed', 'query']) {
    const buckets = values.filter((v) => v.labels.stage === stage && v.metricName?.endsWith('_bucket'));
    const count = values.find((v) => v.labels.stage === stage && v.metricName?.endsWith('_count'))?.value ?? 0;
    const sum = values.find((v) => v.labels.stage === stage && v.metricName?.endsWith('_sum'))?.value ?? 0;
    const at = (p: number) => buckets.find((b) => b.value >= count * p)?.labels.le;
    lines.push(`    ${stage.padEnd(6)} mean ${ms(sum / Math.max(count, 1))}, p50 ≤ ${at(0.5)} s, p99 ≤ ${at(0.99)} s`);
  }
  return lines;
}
