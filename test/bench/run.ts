import { runCommandLine, UsageError, userPath } from '@vsp/platform';
import { BUILT_IN_MODEL_IDS, EFFICIENTNET_LITE0_MODEL } from '@vsp/vector-index';
import { runEmbeddingBench } from './embedding.bench.js';
import { runFreshnessBench } from './freshness.bench.js';
import { runIngressBench } from './ingress.bench.js';
import { runPersistenceBench } from './persistence.bench.js';
import { runQualityBench } from './quality.bench.js';
import { runRebuildBench } from './rebuild.bench.js';
import { runSearchBench } from './search.bench.js';
import { runTapBench } from './tap.bench.js';

const USAGE = `usage: npm run bench -- [--only NAME] [options]
  Every benchmark, one after another, each printing its figures next to a ceiling or naive baseline
  measured in the same run. NAME: ingress, persistence, embedding, rebuild, tap, search, freshness, quality.
  --duration 20 --connections 64        ingress: seconds and connections per load run
  --cpu-prof DIR                         ingress: write its processes' V8 CPU profiles there
  --products 60000 --naive-events 20000 persistence: catalogue size and the naive baseline's events
  --images 2000 --pretrained-images 1000 --clip-images 96
                                         embedding: images per run, with the descriptor / the default
                                         (pretrained) model / the CLIP-sized stand-in
  --rebuild-products 50000               rebuild: products in the log (4 events each)
  --model-change-products 2000           rebuild: products in the model change's log (1 photo each)
  --tap-events 200000                    tap: events on the topic
  --store embedded|qdrant                rebuild, search: this store only (default: each configured one)
  --search-points 100000 --search-requests 400
  --search-model efficientnet-lite0-imagenet   search: a built-in model (the default model)
  --freshness-rate 1000 --freshness-duration 60 --freshness-warm-up 10 --freshness-image-share 0.1
  --freshness-store embedded|qdrant      freshness: where the vector index is
  --quality-distractors 200              quality: synthetic photos beside the real ones`;

const options = {
  only: { type: 'string' },
  duration: { type: 'string', default: '20' },
  connections: { type: 'string', default: '64' },
  'cpu-prof': { type: 'string' },
  products: { type: 'string', default: '60000' },
  'naive-events': { type: 'string', default: '20000' },
  images: { type: 'string', default: '2000' },
  'pretrained-images': { type: 'string', default: '1000' },
  'clip-images': { type: 'string', default: '96' },
  'rebuild-products': { type: 'string', default: '50000' },
  'model-change-products': { type: 'string', default: '2000' },
  'tap-events': { type: 'string', default: '200000' },
  store: { type: 'string' },
  'search-points': { type: 'string', default: '100000' },
  'search-requests': { type: 'string', default: '400' },
  'search-model': { type: 'string', default: EFFICIENTNET_LITE0_MODEL.id },
  'freshness-rate': { type: 'string', default: '1000' },
  'freshness-duration': { type: 'string', default: '60' },
  'freshness-warm-up': { type: 'string', default: '10' },
  'freshness-image-share': { type: 'string', default: '0.1' },
  'freshness-store': { type: 'string', default: 'embedded' },
  'quality-distractors': { type: 'string', default: '200' },
} as const;

await runCommandLine({
  name: 'bench',
  usage: USAGE,
  options,
  async run({ values }) {
    const choice = <C extends string>(name: 'store' | 'freshness-store' | 'search-model', choices: readonly C[]): C => {
      if (!choices.includes(values[name] as C))
        throw new UsageError(`--${name} ${values[name]}: expected one of ${choices.join(', ')}`);
      return values[name] as C;
    };
    const store = values.store === undefined ? undefined : choice('store', ['embedded', 'qdrant'] as const);
    const number = (
      name: Exclude<keyof typeof options, 'only' | 'cpu-prof' | 'store' | 'freshness-store' | 'search-model'>,
    ) => {
      const value = Number(values[name]);
      if (!Number.isFinite(value) || value <= 0)
        throw new UsageError(`--${name} ${values[name]}: expected a positive number`);
      return value;
    };
    const benches: Record<string, () => Promise<void>> = {
      ingress: () =>
        runIngressBench({
          durationSeconds: number('duration'),
          connections: number('connections'),
          cpuProfileDir: values['cpu-prof'] && userPath(values['cpu-prof']),
        }),
      persistence: () => runPersistenceBench({ products: number('products'), naiveEvents: number('naive-events') }),
      embedding: () =>
        runEmbeddingBench({
          images: number('images'),
          pretrainedImages: number('pretrained-images'),
          clipImages: number('clip-images'),
        }),
      rebuild: () =>
        runRebuildBench({
          products: number('rebuild-products'),
          modelChangeProducts: number('model-change-products'),
          store,
        }),
      tap: () => runTapBench({ events: number('tap-events') }),
      search: () =>
        runSearchBench({
          points: number('search-points'),
          requests: number('search-requests'),
          model: choice('search-model', BUILT_IN_MODEL_IDS),
          store,
        }),
      freshness: () =>
        runFreshnessBench({
          rate: number('freshness-rate'),
          durationSeconds: number('freshness-duration'),
          warmUpSeconds: number('freshness-warm-up'),
          imageShare: number('freshness-image-share'),
          store: choice('freshness-store', ['embedded', 'qdrant'] as const),
        }),
      quality: () => runQualityBench({ distractors: number('quality-distractors') }),
    };
    if (values.only && !(values.only in benches))
      throw new UsageError(`--only ${values.only}: expected one of ${Object.keys(benches).join(', ')}`);
    for (const [name, run] of Object.entries(benches)) {
      if (!values.only || values.only === name) await run();
    }
    return 0;
  },
});
// Benchmarks leave clients (autocannon, kafkajs) whose sockets would keep the process alive.
process.exit();
