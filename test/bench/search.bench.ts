import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nearDuplicate, productImage, seededRandom } from '@vsp/processors/testing';
import { startTestSearch } from '@vsp/search/testing';
import { createVectorIndex } from '@vsp/test-harness';
import {
  createQdrantClient,
  IndexVersions,
  imageToTensor,
  openModel,
  type ProductPoint,
  QdrantBackend,
} from '@vsp/vector-index';
import { CleanupScope } from './cleanup-scope.js';

export interface SearchBenchOptions {
  points: number;
  requests: number;
  /** How long to wait for Qdrant to build its index before measuring. */
  indexWaitSeconds: number;
  /** The built-in model the points and the queries are embedded with. */
  model: string;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

/**
 * Searches/s and latency per stage of the search service over `points` indexed points (real
 * vectors of 500 photos from `model`, each repeated with small noise), with 1 and 8 concurrent
 * clients uploading recompressed photos over HTTP; and recall@10 of Qdrant's HNSW index against
 * exact search.
 */
export async function runSearchBench({
  points,
  requests,
  indexWaitSeconds,
  model: modelId,
}: SearchBenchOptions): Promise<void> {
  const scope = new CleanupScope();
  try {
    const { qdrantUrl, alias } = await createVectorIndex(scope);
    const client = createQdrantClient(qdrantUrl);
    const versions = new IndexVersions(new QdrantBackend(client, qdrantUrl), alias);
    const cache = mkdtempSync(join(tmpdir(), 'search-bench-'));
    const model = await openModel({
      MODEL: modelId,
      MODEL_CACHE_DIR: cache,
      INFERENCE_THREADS: 1,
      INFERENCE_BATCH_MAX: 32,
    });
    scope.after(() => model.close());
    const photos = await Promise.all(Array.from({ length: 500 }, (_, i) => productImage(90_000 + i)));
    const base = await model.embed(await Promise.all(photos.map((p) => imageToTensor(p, model.spec, 40_000_000))));
    const version = await versions.ensureServing({
      modelId,
      modelDir: null,
      dimension: model.dimension,
      groupPrefix: 'bench',
    });
    const store = versions.store(version.name);
    const next = seededRandom(7);
    const started = performance.now();
    for (let i = 0; i < points; i += 1_000) {
      const batch: ProductPoint[] = [];
      for (let j = i; j < Math.min(points, i + 1_000); j++) {
        const vector = Float32Array.from(
          base[j % base.length] as Float32Array,
          (v) => v + (j < base.length ? 0 : (next() - 0.5) * 0.02),
        );
        const norm = Math.hypot(...vector);
        batch.push({ productId: `p${j}`, vector: vector.map((v) => v / norm), payload: payloadOf(j, modelId) });
      }
      await store.upsert(batch);
    }
    console.log(
      `search benchmark: ${points} points of ${modelId} (${model.dimension} dimensions) upserted in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    const indexed = performance.now();
    let info = await client.getCollection(version.name);
    while (info.status !== 'green' && performance.now() - indexed < indexWaitSeconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      info = await client.getCollection(version.name);
    }
    console.log(
      `  HNSW index (m=16, ef_construct=100): ${info.indexed_vectors_count ?? 0} of ${points} vectors indexed after ${((performance.now() - indexed) / 1000).toFixed(0)} s (${info.status}); unindexed segments are searched exhaustively`,
    );

    const queries = await Promise.all(photos.slice(0, 100).map((p) => nearDuplicate(p)));
    let hits = 0;
    for (const [i, photo] of queries.entries()) {
      const [vector] = await model.embed([await imageToTensor(photo, model.spec, 40_000_000)]);
      const query = {
        vector: Array.from(vector as Float32Array),
        limit: 10,
        filter: { must: [{ key: 'searchable', match: { value: true } }] },
      };
      const approximate = await client.search(version.name, query);
      const exact = await client.search(version.name, { ...query, params: { exact: true } });
      const truth = new Set(exact.map((h) => h.id));
      hits += approximate.filter((h) => truth.has(h.id)).length;
      if (i === 0 && exact.length < 10) throw new Error('exact search found fewer than 10 points');
    }
    console.log(`  recall@10 of the HNSW search against exact search: ${(hits / (queries.length * 10)).toFixed(3)}`);

    const search = await startTestSearch(scope, {
      QDRANT_URL: qdrantUrl,
      VECTOR_ALIAS: alias,
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
        `  ${clients} client(s): ${(latencies.length / seconds).toFixed(0)} searches/s, p50 ${ms(percentile(latencies, 0.5))}, p99 ${ms(percentile(latencies, 0.99))} (HTTP, ${latencies.length} searches)`,
      );
      for (const line of await stagePercentiles(search.metrics.stageSeconds)) console.log(line);
    }
  } finally {
    await scope.close();
  }
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
