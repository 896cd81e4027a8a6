// Runs ONNX inference off the main thread: InferenceSession.run() blocks its thread for the whole
// batch, which would stall Kafka heartbeats and HTTP. Plain JavaScript so that it loads in a
// worker without a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { pixelsToTensor } from './pixel-tensor.mjs';

const { modelPath, threads, input } = workerData;
const { size } = input;
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const inputName = workerData.inputName ?? session.inputNames[0];
const outputName = workerData.outputName ?? session.outputNames[0];

async function run(data, count) {
  const outputs = await session.run({ [inputName]: new ort.Tensor('float32', data, [count, 3, size, size]) });
  const output = outputs[outputName];
  return { data: new Float32Array(output.data), dimension: output.dims[output.dims.length - 1] };
}

const probe = await run(new Float32Array(3 * size * size), 1);
parentPort.postMessage({ type: 'ready', inputName, outputName, dimension: probe.dimension });

// One batch at a time: the model sends the next one only after this one's answer. So one input
// array serves every batch, grown to the largest: a new one per batch was 600 KB of external
// memory per image, and a full collection of this thread's heap every ~90 images.
let batchInput = new Float32Array(0);
parentPort.on('message', async ({ images }) => {
  try {
    const length = 3 * size * size * images.length;
    if (batchInput.length < length) batchInput = new Float32Array(length);
    const result = await run(pixelsToTensor(images, input, batchInput.subarray(0, length)), images.length);
    parentPort.postMessage({ type: 'result', data: result.data, dimension: result.dimension }, [result.data.buffer]);
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String(error?.message ?? error) });
  }
});
