import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { ModelInvalidError } from '../../errors.js';
import type { ModelSpec } from './model-spec.js';

interface Pending {
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
  count: number;
}

/**
 * A model running in a worker thread. `embed` takes preprocessed images (CHW float32) and
 * returns one L2-normalised vector per image, so a dot product is the cosine similarity.
 */
export class EmbeddingModel {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed: Promise<void> | undefined;

  private constructor(
    readonly spec: ModelSpec,
    readonly dimension: number,
    worker: Worker,
  ) {
    this.#worker = worker;
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
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
  }

  /** Loads the model in a worker with `threads` intra-op threads; resolves once it has run once. */
  static async open(spec: ModelSpec, { threads }: { threads: number }): Promise<EmbeddingModel> {
    const worker = new Worker(new URL('./inference-worker.mjs', import.meta.url), {
      workerData: {
        modelPath: spec.modelPath,
        threads,
        size: spec.size,
        inputName: spec.inputName,
        outputName: spec.outputName,
      },
    });
    const ready = once(worker, 'message') as Promise<[{ dimension: number; inputName: string; outputName: string }]>;
    const failed = once(worker, 'error').then(([error]) => {
      throw new ModelInvalidError(`model ${spec.id} (${spec.modelPath}) does not load: ${(error as Error).message}`, {
        cause: error,
      });
    });
    const [info] = await Promise.race([ready, failed]);
    return new EmbeddingModel(
      { ...spec, inputName: info.inputName, outputName: info.outputName },
      info.dimension,
      worker,
    );
  }

  embed(tensors: readonly Float32Array[]): Promise<Float32Array[]> {
    if (tensors.length === 0) return Promise.resolve([]);
    const plane = 3 * this.spec.size * this.spec.size;
    const data = new Float32Array(plane * tensors.length);
    for (const [i, tensor] of tensors.entries()) data.set(tensor, i * plane);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, count: tensors.length });
      this.#worker.postMessage({ id, data, count: tensors.length }, [data.buffer]);
    });
  }

  close(): Promise<void> {
    this.#closed ??= this.#worker.terminate().then(() => undefined);
    return this.#closed;
  }
}

function split(data: Float32Array, dimension: number, count: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => {
    const vector = data.slice(i * dimension, (i + 1) * dimension);
    const norm = Math.hypot(...vector) || 1;
    for (let j = 0; j < vector.length; j++) vector[j] = (vector[j] as number) / norm;
    return vector;
  });
}
