// A stand-in for inference-worker.mjs that answers one batch and dies on the next, the way a
// worker crashes in production (a native abort, an out-of-memory kill): for the model's tests.
import { parentPort, workerData } from 'node:worker_threads';

const dimension = 4;
parentPort.postMessage({ type: 'ready', inputName: 'input', outputName: 'output', dimension });
let batches = 0;
parentPort.on('message', ({ images }) => {
  if (++batches > 1) process.exit(3);
  const data = new Float32Array(images.length * dimension).fill(workerData.input.size);
  parentPort.postMessage({ type: 'result', data, dimension }, [data.buffer]);
});
