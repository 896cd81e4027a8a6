import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QdrantService } from '@vsp/infra';
import {
  createVectorIndex,
  freePort,
  nearDuplicate,
  productImage,
  seededRandom,
  startQdrantCluster,
  type TestIndexStore,
  type TestVectorIndex,
  waitFor,
} from '@vsp/test-harness';
import {
  type IndexVersions,
  imageToPixels,
  openModel,
  type ProductPoint,
  QDRANT_SEARCH_PARAMS,
  QdrantBackend,
  type Quantization,
} from '@vsp/vector-index';
import { testVersionsOf } from '@vsp/vector-index/testing';
import { answers } from '../src/support/pipeline-process.js';
import { benchStores } from './bench-stores.js';
import { CleanupScope } from './cleanup-scope.js';
import { serve } from './served-process.js';

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
const msText = (ms: number) => `${ms.toFixed(1)} ms`;

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
    const base = await model.embed(await Promise.all(photos.map((p) => imageToPixels(p, model.spec, 40_000_000))));
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
      await Promise.all(queries.map((photo) => imageToPixels(photo, model.spec, 40_000_000))),
    );
    const exact = queryVectors.map((query) => exactNearest(vectors, query, 10));
    const truth = exact.map(({ ids }) => ids);
    // Recall@10 against exact search, as it is and as ann-benchmarks counts it: there a result is
    // right when its cosine distance to the query is within 0.001 of the 10th nearest's, so that of
    // near-ties (copies of one photo almost equally far) any that comes back counts.
    const againstExact = (found: number[][]) => {
      const tied = found.reduce(
        (sum, ids, q) =>
          sum +
          ids.filter(
            (id) =>
              dot(vectors[id] as Float32Array, queryVectors[q] as Float32Array) >=
              (exact[q]?.kth as number) - TIE_TOLERANCE,
          ).length,
        0,
      );
      return `${recall(found, truth).toFixed(3)} (within ${TIE_TOLERANCE} of the 10th nearest: ${(tied / (found.length * 10)).toFixed(3)})`;
    };
    console.log(
      `search benchmark: ${points} points of ${modelId} (${model.dimension} dimensions), ${requests} searches per run`,
    );

    for (const { store, title, quantization } of searchVariants(only)) {
      const variant = new CleanupScope();
      scope.after(() => variant.close());
      const { index, growthAfterRestart } = await indexFor(variant, store);
      const versions = testVersionsOf(variant, index);
      const version = await versions.ensureServing({
        modelId,
        modelDir: null,
        dimension: model.dimension,
        groupPrefix: 'bench',
        quantization,
      });
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
      console.log(`    ${await prepare(versions, version.name)}`);
      const searchAll = () => Promise.all(queryVectors.map((query) => target.search(query, 10)));
      const growth = await growthAfterRestart(searchAll);
      if (growth) {
        const perMillion = (kb: number) => `${((kb * 1024 * 1_000_000) / points / 2 ** 30).toFixed(2)} GiB`;
        console.log(
          `    Qdrant's memory per million points, restarted and warmed by ${queryVectors.length} searches: ` +
            `RSS +${perMillion(growth.rss)}, of it anonymous +${perMillion(growth.anonymous)} (the rest: mapped files)`,
        );
      }

      const found = await Promise.all(
        queryVectors.map(async (query) =>
          (await target.search(query, 10)).map((hit) => Number(hit.productId.slice(1))),
        ),
      );
      console.log(`    recall@10 against exact search: ${againstExact(found)}`);
      if ('QDRANT_URL' in index.env) {
        // How a wider beam (Qdrant's default: ef_construct, 100) trades the query's time for recall.
        for (const hnswEf of [64, 128, 256, 512]) {
          const times: number[] = [];
          const beamed: number[][] = [];
          for (const query of queryVectors) {
            const t0 = performance.now();
            beamed.push(
              await rawSearch(index.env.QDRANT_URL, index.alias, query, { ...QDRANT_SEARCH_PARAMS, hnsw_ef: hnswEf }),
            );
            times.push(performance.now() - t0);
          }
          times.sort((a, b) => a - b);
          console.log(
            `      with hnsw_ef ${hnswEf}: recall@10 ${againstExact(beamed)}, a bare query p50 ${msText(percentile(times, 0.5))}, max ${msText(times.at(-1) ?? 0)}`,
          );
        }
      }
      // What int8 costs: its results against the float vectors' search through the same HNSW graph
      // (quantization ignored), so that the two graphs' own differences do not count.
      if (quantization === 'int8' && 'QDRANT_URL' in index.env) {
        const url = index.env.QDRANT_URL;
        const sameGraph = await Promise.all(
          queryVectors.map(
            async (query) =>
              new Set(
                await rawSearch(url, index.alias, query, { ...QDRANT_SEARCH_PARAMS, quantization: { ignore: true } }),
              ),
          ),
        );
        console.log(
          `    recall@10 against the float vectors' search in the same graph: ${recall(found, sameGraph).toFixed(3)}`,
        );
        for (const oversampling of [1, 2, 8, 16]) {
          const other = await Promise.all(
            queryVectors.map((query) =>
              rawSearch(url, index.alias, query, {
                ...QDRANT_SEARCH_PARAMS,
                quantization: { rescore: true, oversampling },
              }),
            ),
          );
          console.log(
            `      with oversampling ${oversampling} instead: ${recall(other, sameGraph).toFixed(3)} (against exact search ${againstExact(other)})`,
          );
        }
      }

      const search = await servedSearch(variant, {
        ...index.env,
        MODEL_CACHE_DIR: cache,
        IMAGE_BASE_URL: 'http://127.0.0.1:1/images/',
      });
      // By photo: an upload decoded, embedded and searched; by product: its stored vector searched.
      const byPhoto = (n: number) => {
        const form = new FormData();
        form.append('image', new Blob([queries[n % queries.length] as Buffer], { type: 'image/jpeg' }), 'q.jpg');
        return fetch(`${search.url}/api/v1/search?k=10`, { method: 'POST', body: form });
      };
      const byProduct = (n: number) => fetch(`${search.url}/api/v1/products/p${(n * 7919) % points}/similar?k=10`);
      for (const [what, request] of [
        ['by photo', byPhoto],
        ['by product', byProduct],
      ] as const) {
        for (const clients of [1, 8]) {
          const searches: TimedSearch[] = [];
          let sent = 0;
          const begun = performance.now();
          await Promise.all(
            Array.from({ length: clients }, async () => {
              while (sent < requests) {
                const t0 = performance.now();
                const response = await request(sent++);
                await response.json();
                if (!response.ok) throw new Error(`search ${what} answered ${response.status}`);
                searches.push({ ms: performance.now() - t0, stages: stagesOf(response.headers.get('server-timing')) });
              }
            }),
          );
          const seconds = (performance.now() - begun) / 1000;
          for (const line of latencyLines(`${what}, ${clients} client(s)`, searches, seconds)) console.log(line);
        }
      }
      // Its Qdrant and search service stop here, so that they take no CPU from the next variant's.
      await variant.close();
    }
  } finally {
    await scope.close();
  }
}

/**
 * The compiled search service as its own process, as production runs it: its heap and event loop
 * are not this benchmark's, which holds every point's vector. Ready once it answers /api/v1/ready.
 */
async function servedSearch(scope: CleanupScope, env: Record<string, string>): Promise<{ url: string }> {
  const port = await freePort();
  const search = serve(['search/dist/main.js'], { ...env, SEARCH_PORT: String(port), SEARCH_HOST: '127.0.0.1' });
  scope.after(() => search.stop());
  const url = `http://127.0.0.1:${port}`;
  await waitFor(() => answers(port, '/api/v1/ready'), {
    description: 'the search service to be ready',
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  return { url };
}

/** The top 10 of a search of a Qdrant collection with the search parameters given (the store's but one, mostly). */
async function rawSearch(
  url: string,
  collection: string,
  query: Float32Array,
  params: Record<string, unknown>,
): Promise<number[]> {
  const response = await fetch(`${url}/collections/${collection}/points/search`, {
    method: 'POST',
    // Uncompressed, as the store asks (qdrant-connection.ts): a gzipped answer reaches fetch late.
    headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' },
    body: JSON.stringify({
      vector: Array.from(query),
      limit: 10,
      with_payload: ['product_id'],
      params,
    }),
  });
  const { result } = (await response.json()) as { result: { payload: { product_id: string } }[] };
  return result.map((hit) => Number(hit.payload.product_id.slice(1)));
}

/** The share of the expected top 10 that each query's results hold, over all queries. */
function recall(found: number[][], expected: Set<number>[]): number {
  const hits = found.reduce((sum, ids, i) => sum + ids.filter((id) => expected[i]?.has(id)).length, 0);
  return hits / (found.length * 10);
}

/** Queries whose recall is measured (the exact nearest of each are found by brute force here). */
const RECALL_QUERIES = 50;

/** How much further than the 10th nearest a result may be and still count (ann-benchmarks' epsilon). */
const TIE_TOLERANCE = 0.001;

/** The cosine similarity of two unit vectors. */
function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += (a[d] as number) * (b[d] as number);
  return sum;
}

/** The indexes of the `k` vectors nearest to `query` (all are unit length: the largest dot products), and the k-th's similarity. */
function exactNearest(
  vectors: readonly Float32Array[],
  query: Float32Array,
  k: number,
): { ids: Set<number>; kth: number } {
  const nearest = vectors
    .map((vector, i) => ({ i, similarity: dot(vector, query) }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, k);
  return { ids: new Set(nearest.map(({ i }) => i)), kth: nearest.at(-1)?.similarity ?? 1 };
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

/** Resident memory of a process, in kB: all of it, and its anonymous part (not mapped files). */
interface Resident {
  rss: number;
  anonymous: number;
}

function residentOf(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS'), anonymous: kb('RssAnon') };
}

/**
 * An index for one variant, and for Qdrant, a server of its own and what its points cost in
 * memory: the server's growth over its empty start once restarted (so that only what Qdrant loads,
 * and what searches touch, is resident, not the pages written while filling) and warmed up.
 */
async function indexFor(
  scope: CleanupScope,
  store: TestIndexStore,
): Promise<{
  index: TestVectorIndex;
  growthAfterRestart(warmUp: () => Promise<unknown>): Promise<Resident | undefined>;
}> {
  if (store === 'embedded') {
    return { index: await createVectorIndex(scope, store), growthAfterRestart: async () => undefined };
  }
  const server = await startQdrantCluster(scope, 1);
  const empty = residentOf(await server.pid(1));
  return {
    index: { store, alias: 'products', env: { VECTOR_STORE: store, VECTOR_ALIAS: 'products', QDRANT_URL: server.url } },
    async growthAfterRestart(warmUp) {
      const node = server.nodes[0] as QdrantService;
      await node.down();
      await node.up();
      await warmUp();
      const now = residentOf(await server.pid(1));
      return { rss: now.rss - empty.rss, anonymous: now.anonymous - empty.anonymous };
    },
  };
}

/**
 * Gets a freshly filled version ready to search, as a rebuild does before it serves, and says how
 * long it took and, on Qdrant, into how many segments it went: each is searched with the whole
 * `hnsw_ef`, so their number moves both recall and a query's time (docs/PERFORMANCE.md).
 */
async function prepare(versions: IndexVersions, name: string): Promise<string> {
  const started = performance.now();
  await versions.optimize(name);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (!(versions.backend instanceof QdrantBackend)) return `compacted and ANN-indexed (IVF-PQ) in ${seconds} s`;
  const { segments_count } = await versions.backend.qdrant.call((client) => client.getCollection(name));
  return `HNSW index (m=16, ef_construct=100) built ${seconds} s after the last upsert, in ${segments_count} segments`;
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

/** One search as the benchmark saw it. */
interface TimedSearch {
  /** As the client saw it, over HTTP. */
  ms: number;
  /** As the service's Server-Timing header gave them. */
  stages: Record<string, number>;
}

function stagesOf(header: string | null): Record<string, number> {
  const stages: Record<string, number> = {};
  for (const entry of header?.split(',') ?? []) {
    const [name, duration] = entry.trim().split(';dur=');
    if (name && duration) stages[name] = Number(duration);
  }
  return stages;
}

/**
 * Searches/s with p50 and p99 over HTTP; each stage's mean, p50 and p99 (from the Server-Timing
 * header of every answer); and where the slowest 1% spent their time.
 */
function latencyLines(title: string, searches: TimedSearch[], seconds: number): string[] {
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const totals = sorted(searches.map((s) => s.ms));
  const lines = [
    `    ${title}: ${(searches.length / seconds).toFixed(0)} searches/s, p50 ${msText(percentile(totals, 0.5))}, p99 ${msText(percentile(totals, 0.99))} (HTTP, ${searches.length} searches)`,
  ];
  const stageNames = [...new Set(searches.flatMap((s) => Object.keys(s.stages)))];
  for (const stage of stageNames) {
    const times = sorted(searches.map((s) => s.stages[stage] ?? 0));
    const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
    lines.push(
      `      ${stage.padEnd(6)} mean ${msText(mean)}, p50 ${msText(percentile(times, 0.5))}, p99 ${msText(percentile(times, 0.99))}`,
    );
  }
  const slowest = [...searches].sort((a, b) => b.ms - a.ms).slice(0, Math.max(1, Math.ceil(searches.length / 100)));
  const meanOf = (pick: (s: TimedSearch) => number) => slowest.reduce((sum, s) => sum + pick(s), 0) / slowest.length;
  const inStages = (s: TimedSearch) => Object.values(s.stages).reduce((sum, t) => sum + t, 0);
  const parts = stageNames.map((stage) => `${stage} ${msText(meanOf((s) => s.stages[stage] ?? 0))}`);
  lines.push(
    `      the slowest 1% (${slowest.length}), mean ${msText(meanOf((s) => s.ms))}: ${[...parts, `outside the stages ${msText(meanOf((s) => s.ms - inStages(s)))}`].join(', ')}`,
  );
  return lines;
}
