import { parseArgs } from 'node:util';
import { runEmbeddingBench } from './embedding.bench.js';
import { runIngressBench } from './ingress.bench.js';
import { runPersistenceBench } from './persistence.bench.js';
import { runRebuildBench } from './rebuild.bench.js';
import { runSearchBench } from './search.bench.js';
import { runTapBench } from './tap.bench.js';

/**
 * `npm run bench [-- --only ingress|persistence|embedding|rebuild|tap|search --duration 20 --connections 64
 *   --products 60000 --images 2000 --rebuild-products 50000 --tap-events 200000 --search-points 100000
 *   --search-index-wait 600]`:
 * every benchmark, one after another, each printing its figures next to a ceiling or naive
 * baseline measured in the same run.
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '64' },
    products: { type: 'string', default: '60000' },
    'naive-events': { type: 'string', default: '20000' },
    images: { type: 'string', default: '2000' },
    'rebuild-products': { type: 'string', default: '50000' },
    'tap-events': { type: 'string', default: '200000' },
    'search-points': { type: 'string', default: '100000' },
    'search-requests': { type: 'string', default: '400' },
    'search-index-wait': { type: 'string', default: '600' },
  },
});

const benches: Record<string, () => Promise<void>> = {
  ingress: () => runIngressBench({ durationSeconds: Number(values.duration), connections: Number(values.connections) }),
  persistence: () =>
    runPersistenceBench({ products: Number(values.products), naiveEvents: Number(values['naive-events']) }),
  embedding: () => runEmbeddingBench({ images: Number(values.images) }),
  rebuild: () => runRebuildBench({ products: Number(values['rebuild-products']) }),
  tap: () => runTapBench({ events: Number(values['tap-events']) }),
  search: () =>
    runSearchBench({
      points: Number(values['search-points']),
      requests: Number(values['search-requests']),
      indexWaitSeconds: Number(values['search-index-wait']),
    }),
};
for (const [name, run] of Object.entries(benches)) {
  if (!values.only || values.only === name) await run();
}
process.exit(0);
