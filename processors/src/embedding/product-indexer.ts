import type { ProductEvent } from '@vsp/schemas';
import {
  type EmbeddingModel,
  type FetchedImage,
  type ImageFetcher,
  imageToPixels,
  type ProductPayload,
  type ProductPoint,
  type VectorStore,
} from '@vsp/vector-index';
import type { ProcessorError } from '../errors.js';
import {
  emptyProductState,
  groupByProduct,
  type MergeOutcome,
  mergeEvents,
  type ProductState,
} from '../product/product-state.js';
import type { WriteOutcome } from '../runtime/sink-writer.js';
import { type EmbeddedImage, embeddedImageOf, imageSourceOf, payloadOf, stateOf } from './index-payload.js';

export type Stage = 'lookup' | 'fetch' | 'decode' | 'infer' | 'upsert';
/** Where a written point's vector came from: an image fetched and embedded, or one already made. */
export type VectorSource = 'embedded' | 'reused' | 'placeholder';

export interface ProductIndexerOptions {
  store: VectorStore;
  /**
   * A collection the same model filled (the one serving while a rebuild fills `store`): its
   * vectors are taken instead of fetching and embedding the same images again.
   */
  donor?: VectorStore | undefined;
  fetcher: ImageFetcher;
  model: EmbeddingModel;
  maxPixels: number;
  fetchConcurrency: number;
  decodeConcurrency: number;
  /** Called with the time each stage of a batch took. */
  onStage(stage: Stage, seconds: number): void;
  /** Called per batch: images fetched, and how many written vectors came from each source. */
  onVectors(fetched: number, sources: Record<VectorSource, number>): void;
}

type PermanentError = Exclude<WriteOutcome, string>;

/** One product's share of a batch. */
interface Plan {
  events: ProductEvent[];
  outcomes: MergeOutcome[];
  state: ProductState;
  /** The image the vector must come from; null: a placeholder will do. */
  source: string | null;
  /** The stored point's image and vector, when made by the current model. */
  previous: { image: EmbeddedImage; vector: Float32Array } | undefined;
  fetched?: FetchedImage;
  pixels?: Uint8Array;
  image?: EmbeddedImage | null;
  vector?: Float32Array;
  failure?: PermanentError;
}

/**
 * Keeps the vector index in step with product events, so that it always equals what a replay of
 * the log from scratch would build. The payload is the product's state under the same merge rules
 * as PostgreSQL (product/product-state.ts). The vector follows the image the product shows now
 * (`imageSourceOf`): fetched again whenever that changes, embedded again only when the bytes
 * differ from the stored point's. A product without an image, or deleted, is kept with a
 * placeholder vector and left out of searches, so its fields are there when an image arrives and
 * a late event cannot resurrect it.
 */
export class ProductIndexer {
  constructor(private readonly options: ProductIndexerOptions) {
    options.model.onRun((_images, seconds) => options.onStage('infer', seconds));
  }

  async apply(events: readonly ProductEvent[]): Promise<WriteOutcome[]> {
    const { store, model } = this.options;
    const byProduct = groupByProduct(events, (event) => event.data.product_id);
    const ids = [...byProduct.keys()];
    // A rebuild reads its donor beside its own version, not after: what it replays is mostly not in
    // its version yet, so the donor's points are nearly always wanted, and the two reads overlap.
    const [stored, donated] = await this.#time('lookup', () =>
      Promise.all([store.get(ids), this.options.donor?.get(ids) ?? new Map<string, ProductPoint>()]),
    );

    const plans: Plan[] = [];
    for (const [productId, productEvents] of byProduct) {
      const point = stored.get(productId);
      const state = point ? stateOf(point.payload) : emptyProductState(productId);
      plans.push({
        events: productEvents,
        outcomes: mergeEvents(state, productEvents),
        state,
        source: imageSourceOf(state),
        previous: this.#reusable(point),
      });
    }
    const changed = plans.filter((p) => p.outcomes.includes('applied'));
    const unresolved: Plan[] = [];
    for (const plan of changed) {
      if (plan.source === null) {
        plan.image = null;
        plan.vector = placeholder(model.dimension);
      } else if (plan.previous?.image.source === plan.source) {
        plan.image = plan.previous.image;
        plan.vector = plan.previous.vector;
      } else {
        unresolved.push(plan);
      }
    }
    const toFetch = this.#borrow(unresolved, donated);
    await this.#embedAll(toFetch);
    const embedded = toFetch.filter((plan) => plan.pixels).length;

    const points: ProductPoint[] = changed
      .filter((plan) => !plan.failure)
      .map((plan) => ({
        productId: plan.state.product_id,
        vector: plan.vector as Float32Array,
        payload: payloadOf(plan.state, plan.image ?? null, model.spec.id),
      }));
    await this.#time('upsert', () => store.upsert(points));
    const placeholders = points.filter((point) => point.payload.image_source === null).length;
    this.options.onVectors(toFetch.filter((plan) => plan.fetched).length, {
      embedded,
      placeholder: placeholders,
      reused: points.length - placeholders - embedded,
    });

    const outcomeOf = new Map<ProductEvent, WriteOutcome>();
    for (const plan of plans) {
      for (const [i, e] of plan.events.entries()) outcomeOf.set(e, plan.failure ?? (plan.outcomes[i] as MergeOutcome));
    }
    return events.map((e) => outcomeOf.get(e) ?? 'stale');
  }

  /** A stored point's image and vector, if the current model made them. */
  #reusable(point: ProductPoint | undefined): Plan['previous'] {
    if (!point || point.payload.model_id !== this.options.model.spec.id) return undefined;
    const image = embeddedImageOf(point.payload);
    return image ? { image, vector: point.vector } : undefined;
  }

  /**
   * Takes from the donor's points what they hold already: the vector of the same image, or, when
   * the donor has seen a newer event deciding the product's image than this state has (a rebuild
   * replaying history), its current image and vector (or placeholder), which the replay reaches
   * before it finishes. Pictures replaced long ago are then never fetched again. Returns the plans
   * still to fetch.
   */
  #borrow(plans: Plan[], donated: Map<string, ProductPoint>): Plan[] {
    const { model } = this.options;
    return plans.filter((plan) => {
      const point = donated.get(plan.state.product_id);
      if (!point || point.payload.model_id !== model.spec.id) return true;
      const image = embeddedImageOf(point.payload);
      if (image?.source !== plan.source && !isAhead(point.payload, plan.state)) return true;
      plan.image = image;
      plan.vector = image ? point.vector : placeholder(model.dimension);
      return false;
    });
  }

  /**
   * Fetches, decodes and embeds the images in slices of the model's batch size, as a pipeline:
   * while the model works on one slice, the next is decoded and the ones after it fetched. A
   * model whose inference dominates is never left waiting for I/O, and a fast one still gets
   * whole batches.
   */
  #embedAll(plans: Plan[]): Promise<void> {
    const slices: Plan[][] = [];
    for (let i = 0; i < plans.length; i += this.options.model.maxBatch) {
      slices.push(plans.slice(i, i + this.options.model.maxBatch));
    }
    return pipeline(slices, [
      (slice) => this.#time('fetch', () => this.#fetchAll(slice)),
      (slice) => this.#time('decode', () => this.#decodeAll(slice)),
      (slice) => this.#infer(slice),
    ]);
  }

  async #infer(slice: Plan[]): Promise<void> {
    const ready = slice.filter((plan) => plan.pixels);
    const vectors = await this.options.model.embed(ready.map((plan) => plan.pixels as Uint8Array));
    for (const [i, plan] of ready.entries()) plan.vector = vectors[i];
  }

  /** Fetches in parallel. Transient errors fail the batch; permanent ones fail only their product. */
  #fetchAll(plans: Plan[]): Promise<void> {
    return forEachLimit(plans, this.options.fetchConcurrency, async (plan) => {
      try {
        plan.fetched = await this.options.fetcher.fetch(plan.state.image_key as string);
      } catch (error) {
        if ((error as ProcessorError).retriable !== false) throw error;
        plan.failure = error as PermanentError;
      }
    });
  }

  /** Decodes in parallel: sharp works on the libuv pool, one libvips thread per image. */
  #decodeAll(plans: Plan[]): Promise<void> {
    return forEachLimit(plans, this.options.decodeConcurrency, async (plan) => {
      if (!plan.fetched) return;
      plan.image = { source: plan.source as string, sha256: plan.fetched.sha256 };
      if (plan.previous?.image.sha256 === plan.fetched.sha256) {
        plan.vector = plan.previous.vector; // the same bytes as the stored vector's: no need to embed again
        return;
      }
      try {
        plan.pixels = await imageToPixels(plan.fetched.bytes, this.options.model.spec, this.options.maxPixels);
      } catch (error) {
        plan.failure = error as PermanentError;
      }
    });
  }

  async #time<R>(stage: Stage, work: () => Promise<R>): Promise<R> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.options.onStage(stage, (performance.now() - started) / 1000);
    }
  }
}

/** Runs `work` over the items, at most `limit` at a time; the first error rejects. */
async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Runs every item through the stages in order, each stage taking one item at a time: stage s of
 * item k overlaps stage s+1 of item k-1. The first failure rejects (later stages of that item
 * and the items after it do not run).
 */
async function pipeline<T>(items: readonly T[], stages: readonly ((item: T) => Promise<void>)[]): Promise<void> {
  const lastOfStage: Promise<void>[] = stages.map(() => Promise.resolve());
  const finished = items.map((item) =>
    stages.reduce<Promise<void>>((previous, stage, s) => {
      const next = Promise.all([previous, lastOfStage[s]]).then(() => stage(item));
      lastOfStage[s] = next;
      return next;
    }, Promise.resolve()),
  );
  await Promise.all(finished);
}

/** Registers that decide which image a product shows (see imageSourceOf). */
const IMAGE_REGISTERS = ['image_key', 'image', 'deleted'] as const;

/** The stored payload has seen a newer event deciding the product's image than the state has. */
function isAhead(payload: ProductPayload, state: ProductState): boolean {
  return IMAGE_REGISTERS.some((register) => (payload.versions[register] ?? '') > (state.versions[register] ?? ''));
}

/** Some vector for a point that has no image to show; such a point is never searchable. */
function placeholder(dimension: number): Float32Array {
  const vector = new Float32Array(dimension);
  vector[0] = 1;
  return vector;
}
