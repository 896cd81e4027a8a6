import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { InferenceWorkerExitedError, ModelClosedError, ModelInvalidError } from '../errors.js';
import type { ModelSpec } from './model-spec.js';

/** One embed call's share of the work: its images, and where their vectors go. */
interface Request {
  images: readonly Uint8Array[];
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
}

interface WorkerInfo {
  dimension: number;
  inputName: string;
  outputName: string;
}

export interface EmbeddingModelOptions {
  /** ONNX Runtime intra-op threads. */
  threads: number;
  /** Images in one inference run at most. */
  maxBatch: number;
  /** The worker script; tests pass one of their own. */
  workerUrl?: URL;
}

/** Told after each inference run: how many images went together, and how long the worker took. */
export type RunListener = (images: number, seconds: number) => void;

const INFERENCE_WORKER = new URL('./inference-worker.mjs', import.meta.url);

/**
 * A model running in a worker thread. `embed` takes decoded images (the RGB bytes imageToPixels
 * gives) and returns one L2-normalised vector per image, so a dot product is the cosine
 * similarity. The worker makes their float input, so that it is not this thread's memory.
 *
 * The worker runs one batch at a time and is never left waiting: embeds that arrive while it is
 * busy (from other partitions, or the next images of the same batch as they are decoded) queue
 * up and go together, up to `maxBatch` images, the moment it is free. Should the worker die, the
 * embeds of the batch it held fail with InferenceWorkerExitedError (retriable: the records are
 * tried again) and the next batch starts a new worker. `close` fails the queued embeds with
 * ModelClosedError and ends the worker once the batch in flight is done.
 */
export class EmbeddingModel {
  readonly #options: EmbeddingModelOptions;
  readonly #queue: Request[] = [];
  /** The batch the worker is running, if any. */
  #inFlight: Promise<void> | undefined;
  #runListener: RunListener | undefined;
  #worker: Promise<Worker> | undefined;
  #closed: Promise<void> | undefined;

  private constructor(
    readonly spec: ModelSpec,
    readonly dimension: number,
    options: EmbeddingModelOptions,
    worker: Worker,
  ) {
    this.#options = options;
    this.#worker = this.#watch(Promise.resolve(worker));
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

  async embed(images: readonly Uint8Array[]): Promise<Float32Array[]> {
    if (this.#closed) throw new ModelClosedError();
    const { maxBatch } = this.#options;
    const parts: Promise<Float32Array[]>[] = [];
    for (let i = 0; i < images.length; i += maxBatch) {
      parts.push(
        new Promise((resolve, reject) => this.#queue.push({ images: images.slice(i, i + maxBatch), resolve, reject })),
      );
    }
    this.#dispatch();
    return (await Promise.all(parts)).flat();
  }

  /** Images in one inference run at most. */
  get maxBatch(): number {
    return this.#options.maxBatch;
  }

  onRun(listener: RunListener): void {
    this.#runListener = listener;
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (const request of this.#queue.splice(0)) request.reject(new ModelClosedError());
      // Stopping the worker mid-run (or mid-load) aborts the whole process: ONNX Runtime's binding
      // throws past N-API once its thread is told to stop. So the batch in flight finishes first.
      await this.#inFlight;
      const worker = await this.#worker?.catch(() => undefined);
      await worker?.terminate();
    })();
    return this.#closed;
  }

  /** Sends the queued images, as many as one batch holds, unless the worker is busy. */
  #dispatch(): void {
    if (this.#inFlight || this.#closed || this.#queue.length === 0) return;
    const batch: Request[] = [];
    let images = 0;
    while (this.#queue.length > 0 && images + (this.#queue[0] as Request).images.length <= this.#options.maxBatch) {
      const request = this.#queue.shift() as Request;
      batch.push(request);
      images += request.images.length;
    }
    this.#inFlight = this.#run(batch, images).finally(() => {
      this.#inFlight = undefined;
      this.#dispatch();
    });
  }

  async #run(batch: Request[], images: number): Promise<void> {
    try {
      this.#worker ??= this.#watch(startWorker(this.spec, this.#options).then(({ worker }) => worker));
      const worker = await this.#worker;
      const started = performance.now();
      const { data: output, dimension } = await this.#infer(
        worker,
        batch.flatMap((request) => request.images),
      );
      this.#runListener?.(images, (performance.now() - started) / 1000);
      const vectors = split(output, dimension, images);
      for (const request of batch) request.resolve(vectors.splice(0, request.images.length));
    } catch (error) {
      for (const request of batch) request.reject(error as Error);
    }
  }

  /** Forgets a worker once it exits, busy or idle: the next batch starts a new one. */
  #watch(starting: Promise<Worker>): Promise<Worker> {
    void starting.then(
      (worker) =>
        worker.once('exit', () => {
          if (this.#worker === starting) this.#worker = undefined;
        }),
      () => {
        if (this.#worker === starting) this.#worker = undefined;
      },
    );
    return starting;
  }

  /** One run in the worker; rejects if the worker fails or dies meanwhile. */
  #infer(worker: Worker, images: readonly Uint8Array[]): Promise<{ data: Float32Array; dimension: number }> {
    return new Promise((resolve, reject) => {
      let lastError: Error | undefined;
      const onMessage = (message: { type: string; data: Float32Array; dimension: number; message: string }) => {
        settle();
        if (message.type === 'error') reject(new Error(`inference failed: ${message.message}`));
        else resolve(message);
      };
      const onError = (error: Error) => {
        lastError = error;
      };
      const onExit = (code: number) => {
        settle();
        reject(
          new InferenceWorkerExitedError(
            `the inference worker exited (code ${code}${lastError ? `: ${lastError.message}` : ''}); the next batch starts a new one`,
            { cause: lastError },
          ),
        );
      };
      const settle = () => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      // Copied, not transferred: a caller may embed the same images again.
      worker.postMessage({ images });
    });
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
      input: { size: spec.size, mean: spec.mean, std: spec.std },
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
    // A loop, not Math.hypot(...vector): spreading 1280 floats made 1280 heap numbers, half of
    // the heap a search by photo allocated (a sampling heap profile of the search service).
    let squares = 0;
    for (const value of vector) squares += value * value;
    const norm = Math.sqrt(squares) || 1;
    for (let j = 0; j < vector.length; j++) vector[j] = (vector[j] as number) / norm;
    return vector;
  });
}
