import { parseArgs } from 'node:util';
import { runIngressBench } from './ingress.bench.js';

/** `npm run bench [-- --duration 20 --connections 64]`: every benchmark, one after another. */
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '64' },
  },
});

await runIngressBench({ durationSeconds: Number(values.duration), connections: Number(values.connections) });
process.exit(0);
