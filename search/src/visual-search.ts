import { setTimeout as delay } from 'node:timers/promises';
import {
  AliasWatch,
  type CategoryCount,
  type EmbeddingModel,
  ImageTooLargeError,
  type IndexVersion,
  type IndexVersions,
  imageToPixels,
  type ModelSettings,
  openModelOf,
  type SearchFilter,
  type SearchHit,
  type VectorStore,
} from '@vsp/vector-index';
import type { Logger } from 'pino';
import {
  IndexUnavailableError,
  ProductNotFoundError,
  QueryImageTooLargeError,
  QueryImageUndecodableError,
} from './errors.js';

export type SearchStage = 'decode' | 'embed' | 'query';
/** Milliseconds each stage of one search took (a search by product has no decode or embed). */
export type StageTimes = Partial<Record<SearchStage, number>>;

export interface SearchResult {
  product_id: string;
  score: number;
  title: string | null;
  category: string | null;
  /** Exact decimal text, as sent by BakaiMarket. */
  price: string | null;
  currency: string | null;
  image_key: string | null;
  image_url: string | null;
  /** Scored at or above the model's match threshold (always, for a model without one). */
  similar: boolean;
}

export interface SearchAnswer {
  /** The version that answered, and the model its vectors (and the query's) came from. */
  collection: string;
  model_id: string;
  /** The score from which a result counts as similar, calibrated per model; null: not calibrated. */
  match_threshold: number | null;
  took_ms: number;
  results: SearchResult[];
}

/** An answer, and what its stages took (sent as the Server-Timing header, not in the answer). */
export interface TimedAnswer {
  answer: SearchAnswer;
  stages: StageTimes;
}

interface Serving {
  version: IndexVersion;
  model: EmbeddingModel;
  store: VectorStore;
  /** Searches using it now: a replaced model is closed only once they are done. */
  users: number;
  retired: boolean;
}

export interface Readiness {
  ready: boolean;
  collection: string | null;
  model_id: string | null;
  problem: string | null;
}

const READY_TIMEOUT_MS = 1_000;
/** More than a shopper's list can usefully hold. */
const MAX_CATEGORIES = 200;

async function storeProblem(store: VectorStore): Promise<string | null> {
  const timer = new AbortController();
  try {
    await Promise.race([
      store.count(),
      delay(READY_TIMEOUT_MS, undefined, { signal: timer.signal }).then(() => {
        throw new Error(`no answer in ${READY_TIMEOUT_MS} ms`);
      }),
    ]);
    return null;
  } catch (error) {
    return `the vector store does not answer: ${(error as Error).message}`;
  } finally {
    timer.abort();
  }
}

export interface VisualSearchOptions {
  versions: IndexVersions;
  /** Where the models a version records are found or made. */
  models: ModelSettings;
  /** How often the alias is read, to follow a rebuild or a rollback. */
  aliasCheckIntervalMs: number;
  /** A query photo with more pixels is refused before it is decoded (a decompression bomb). */
  maxPixels: number;
  /** Where image keys are, for the results' image URLs. */
  imageBaseUrl: string;
  logger: Logger;
  /** Called with the time each stage of a search took. */
  onStage(stage: SearchStage, seconds: number): void;
}

/**
 * Searches the version the alias serves, embedding queries with the model that version records
 * (model ids checked when it is opened), and follows the alias when a rebuild or a rollback moves
 * it. Queries are decoded by sharp on libuv's pool and embedded in the model's worker thread, so
 * the event loop only routes.
 */
export class VisualSearch {
  readonly #options: VisualSearchOptions;
  readonly #watch: AliasWatch;
  #serving: Serving | undefined;
  /** Why nothing is served, while nothing is. */
  #problem = 'no version of the index has been found yet';

  constructor(options: VisualSearchOptions) {
    this.#options = options;
    this.#watch = new AliasWatch(options.versions, options.aliasCheckIntervalMs, (version) => this.#serve(version));
  }

  /** Serves what the alias points at now (if anything) and follows it from then on. */
  async start(): Promise<void> {
    const version = await this.#options.versions.serving().catch((error: Error) => {
      this.#problem = `the vector store is unreachable: ${error.message}`;
      return undefined;
    });
    if (version) await this.#serve(version);
    this.#watch.start(this.#serving?.version.name);
  }

  /**
   * Ready: a search would be answered now. A version is served, its model loaded, and the vector
   * store answers within READY_TIMEOUT_MS; a load balancer must stop sending searches while it does not.
   */
  async readiness(): Promise<Readiness> {
    const serving = this.#serving;
    const problem = serving ? await storeProblem(serving.store) : this.#problem;
    return {
      ready: problem === null,
      collection: serving?.version.name ?? null,
      model_id: serving?.model.spec.id ?? null,
      problem,
    };
  }

  /** The k products whose images look most like `image`. */
  byImage(image: Buffer, k: number, filter: SearchFilter): Promise<TimedAnswer> {
    const started = performance.now();
    const stages: StageTimes = {};
    return this.#use(async ({ version, model, store }) => {
      const pixels = await this.#time(stages, 'decode', () => decode(image, model, this.#options.maxPixels));
      const [vector] = await this.#time(stages, 'embed', () => model.embed([pixels]));
      const hits = await this.#time(stages, 'query', () =>
        this.#query(() => store.search(vector as Float32Array, k, filter)),
      );
      return { answer: this.#answer(version, model, started, hits), stages };
    });
  }

  /** The k products that look most like `productId`, by its stored vector; never the product itself. */
  similar(productId: string, k: number, filter: SearchFilter): Promise<TimedAnswer> {
    const started = performance.now();
    const stages: StageTimes = {};
    return this.#use(async ({ version, model, store }) => {
      const point = (await this.#query(() => store.get([productId]))).get(productId);
      if (!point?.payload.searchable) {
        throw new ProductNotFoundError(`product ${productId} is not in the index, or has no image to compare`);
      }
      const hits = await this.#time(stages, 'query', () =>
        this.#query(() => store.search(point.vector, k, { ...filter, excludeProductId: productId })),
      );
      return { answer: this.#answer(version, model, started, hits), stages };
    });
  }

  /** The categories of the products a search can find, those with the most products first. */
  categories(): Promise<CategoryCount[]> {
    return this.#use(({ store }) => this.#query(() => store.categories(MAX_CATEGORIES)));
  }

  async close(): Promise<void> {
    await this.#watch.close();
    await this.#retire(this.#serving);
    this.#serving = undefined;
  }

  async #use<R>(work: (serving: Serving) => Promise<R>): Promise<R> {
    const serving = this.#serving;
    if (!serving) throw new IndexUnavailableError(`the index cannot be searched: ${this.#problem}`);
    serving.users++;
    try {
      return await work(serving);
    } finally {
      serving.users--;
      if (serving.retired && serving.users === 0) await serving.model.close();
    }
  }

  async #retire(serving: Serving | undefined): Promise<void> {
    if (!serving) return;
    serving.retired = true;
    if (serving.users === 0) await serving.model.close();
  }

  async #serve(version: IndexVersion): Promise<void> {
    const { models, versions, logger } = this.#options;
    try {
      const model = await openModelOf(version, models);
      const previous = this.#serving;
      this.#serving = { version, model, store: versions.store(version.name), users: 0, retired: false };
      logger.info(`searching ${version.name} with model ${model.spec.id}`);
      await this.#retire(previous);
    } catch (error) {
      await this.#retire(this.#serving);
      this.#serving = undefined;
      this.#problem = `${version.name} cannot be searched here: ${(error as Error).message}`;
      logger.error({ err: error }, this.#problem);
    }
  }

  /** A store failure is the index being unavailable, whatever Qdrant said. */
  async #query<R>(work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (error) {
      throw new IndexUnavailableError(`the vector store failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async #time<R>(stages: StageTimes, stage: SearchStage, work: () => Promise<R>): Promise<R> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      const ms = performance.now() - started;
      stages[stage] = ms;
      this.#options.onStage(stage, ms / 1000);
    }
  }

  #answer(version: IndexVersion, model: EmbeddingModel, started: number, hits: SearchHit[]): SearchAnswer {
    const base = this.#options.imageBaseUrl;
    const threshold = model.spec.matchThreshold;
    return {
      collection: version.name,
      model_id: version.modelId,
      match_threshold: threshold ?? null,
      took_ms: Math.round((performance.now() - started) * 10) / 10,
      results: hits.map(({ productId, score, payload }) => ({
        product_id: productId,
        score,
        title: payload.title,
        category: payload.category,
        price: payload.price,
        currency: payload.currency,
        image_key: payload.image_key,
        image_url: payload.image_key === null ? null : imageLink(payload.image_key, base),
        similar: threshold === undefined || score >= threshold,
      })),
    };
  }
}

/** Decoding refusals, in the search service's terms. */
async function decode(image: Buffer, model: EmbeddingModel, maxPixels: number): Promise<Buffer> {
  try {
    return await imageToPixels(image, model.spec, maxPixels);
  } catch (error) {
    const { message } = error as Error;
    if (error instanceof ImageTooLargeError) throw new QueryImageTooLargeError(message, { cause: error });
    throw new QueryImageUndecodableError(message, { cause: error });
  }
}

/** Where a browser finds the picture: the image host, or this service's /images/ for a local folder. */
function imageLink(imageKey: string, base: string): string {
  if (!base.startsWith('file:')) return new URL(imageKey, base).toString();
  return `/images/${imageKey.split('/').map(encodeURIComponent).join('/')}`;
}
