import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { InferenceWorkerExitedError, ModelInvalidError, ProcessorClosedError } from '../../errors.js';
import type { ModelSpec } from './model-spec.js';

interface Pending {
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
  count: number;
}

interface WorkerInfo {
  dimension: number;
  inputName: string;
  outputName: string;
}

export interface EmbeddingModelOptions {
  /** ONNX Runtime intra-op threads. */
  threads: number;
  /** The worker script; tests pass one of their own. */
  workerUrl?: URL;
}

const INFERENCE_WORKER = new URL('./inference-worker.mjs', import.meta.url);

/**
 * A model running in a worker thread. `embed` takes preprocessed images (CHW float32) and
 * returns one L2-normalised vector per image, so a dot product is the cosine similarity. Should
 * the worker die, the embeds it held fail with InferenceWorkerExitedError (retriable: the batch is
 * tried again) and the next embed starts a new worker.
 */
export class EmbeddingModel {
  readonly #options: EmbeddingModelOptions;
  readonly #pending = new Map<number, Pending>();
  #worker: Promise<Worker> | undefined;
  #nextId = 0;
  #closed: Promise<void> | undefined;

  private constructor(
    readonly spec: ModelSpec,
    readonly dimension: number,
    options: EmbeddingModelOptions,
    worker: Worker,
  ) {
    this.#options = options;
    this.#worker = Promise.resolve(this.#watch(worker));
  }

  /** Loads the model in a worker; resolves once it has run once. */
  static async open(spec: ModelSpec, options: EmbeddingModelOptions): Promise<EmbeddingModel> {
    const { worker, info } = await startWorker(spec, options);
    return new EmbeddingModel(
      { ...spec, inputName: info.inputName, outputName: info.outputName },
      info.dimension,
      options,
      worker,
    );
  }

  async embed(tensors: readonly Float32Array[]): Promise<Float32Array[]> {
    if (this.#closed) throw new ProcessorClosedError();
    if (tensors.length === 0) return [];
    this.#worker ??= startWorker(this.spec, this.#options).then(({ worker }) => this.#watch(worker));
    const worker = await this.#worker;
    const plane = 3 * this.spec.size * this.spec.size;
    const data = new Float32Array(plane * tensors.length);
    for (const [i, tensor] of tensors.entries()) data.set(tensor, i * plane);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, count: tensors.length });
      worker.postMessage({ id, data, count: tensors.length }, [data.buffer]);
    });
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      const worker = await this.#worker?.catch(() => undefined);
      await worker?.terminate();
    })();
    return this.#closed;
  }

  #watch(worker: Worker): Worker {
    let lastError: Error | undefined;
    worker.on(
      'message',
      (message: { type: string; id: number; data: Float32Array; dimension: number; message: string }) => {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.type === 'error') pending.reject(new Error(`inference failed: ${message.message}`));
        else pending.resolve(split(message.data, message.dimension, pending.count));
      },
    );
    worker.on('error', (error) => {
      lastError = error;
    });
    worker.once('exit', (code) => {
      if (this.#closed) return;
      this.#worker = undefined;
      const error = new InferenceWorkerExitedError(
        `the inference worker exited (code ${code}${lastError ? `: ${lastError.message}` : ''}); the next batch starts a new one`,
        { cause: lastError },
      );
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
    return worker;
  }
}

async function startWorker(
  spec: ModelSpec,
  options: EmbeddingModelOptions,
): Promise<{ worker: Worker; info: WorkerInfo }> {
  const worker = new Worker(options.workerUrl ?? INFERENCE_WORKER, {
    workerData: {
      modelPath: spec.modelPath,
      threads: options.threads,
      size: spec.size,
      inputName: spec.inputName,
      outputName: spec.outputName,
    },
  });
  const ready = once(worker, 'message') as Promise<[WorkerInfo]>;
  const failed = once(worker, 'error').then(([error]) => {
    throw new ModelInvalidError(`model ${spec.id} (${spec.modelPath}) does not load: ${(error as Error).message}`, {
      cause: error,
    });
  });
  const [info] = await Promise.race([ready, failed]);
  return { worker, info };
}

function split(data: Float32Array, dimension: number, count: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => {
    const vector = data.slice(i * dimension, (i + 1) * dimension);
    const norm = Math.hypot(...vector) || 1;
    for (let j = 0; j < vector.length; j++) vector[j] = (vector[j] as number) / norm;
    return vector;
  });
}
