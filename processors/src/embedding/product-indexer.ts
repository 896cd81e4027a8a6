import type { ProcessorError } from '../errors.js';
import {
  groupByProduct,
  lastVersionOf,
  mergeEvents,
  type PositionedEvent,
  type ProductRow,
} from '../persistence/product-merge.js';
import type { WriteOutcome } from '../runtime/consumer-runtime.js';
import type { FetchedImage, ImageFetcher } from './images/image-fetcher.js';
import { imageToTensor } from './images/image-preprocessor.js';
import type { EmbeddingModel } from './model/embedding-model.js';
import type { ProductPayload, ProductPoint, VectorStore } from './vector-store/vector-store.js';

export type Stage = 'lookup' | 'fetch' | 'decode' | 'infer' | 'upsert';

export interface ProductIndexerOptions {
  store: VectorStore;
  fetcher: ImageFetcher;
  model: EmbeddingModel;
  maxPixels: number;
  fetchConcurrency: number;
  decodeConcurrency: number;
  /** Called with the time each stage of a batch took. */
  onStage(stage: Stage, seconds: number): void;
}

/** One product's share of a batch. */
interface Plan {
  productId: string;
  events: PositionedEvent[];
  outcomes: WriteOutcome[];
  row: ProductRow;
  previous: ProductPoint | undefined;
  image?: FetchedImage;
  tensor?: Float32Array;
  vector?: Float32Array;
  failure?: PermanentError;
}

type PermanentError = Exclude<WriteOutcome, string>;

// The newest applied event's version rides in the payload's `versions` under this key.
const LAST = '@last';

/**
 * Keeps the vector index in step with product events. Field values follow the same
 * last-writer-wins rules as PostgreSQL (product-merge.ts), kept in the point's payload. An image
 * is fetched only when the image key (or the model) changed, and embedded only when its content
 * hash changed; a deleted product stays as a tombstone that searches leave out.
 */
export class ProductIndexer {
  constructor(private readonly options: ProductIndexerOptions) {}

  async apply(events: readonly PositionedEvent[]): Promise<WriteOutcome[]> {
    const { store, model } = this.options;
    const byProduct = groupByProduct(events);
    const stored = await this.#time('lookup', () => store.get([...byProduct.keys()]));

    const plans: Plan[] = [];
    for (const [productId, productEvents] of byProduct) {
      const previous = stored.get(productId);
      const row = rowOf(productId, previous?.payload);
      plans.push({ productId, events: productEvents, outcomes: mergeEvents(row, productEvents), row, previous });
    }
    const changed = plans.filter((p) => p.outcomes.includes('applied'));
    const needImage = changed.filter((p) => this.#needsImage(p));

    await this.#time('fetch', () => this.#fetchAll(needImage));
    await this.#time('decode', () => this.#decodeAll(needImage));
    const toEmbed = needImage.filter((p) => p.tensor);
    const vectors = await this.#time('infer', () => model.embed(toEmbed.map((p) => p.tensor as Float32Array)));
    for (const [i, plan] of toEmbed.entries()) plan.vector = vectors[i];

    const points = changed.flatMap((plan) => (plan.failure ? [] : this.#point(plan)));
    await this.#time('upsert', () => store.upsert(points));

    const outcomeOf = new Map<PositionedEvent, WriteOutcome>();
    for (const plan of plans) {
      for (const [i, e] of plan.events.entries()) outcomeOf.set(e, plan.failure ?? (plan.outcomes[i] as WriteOutcome));
    }
    return events.map((e) => outcomeOf.get(e) ?? 'stale');
  }

  #needsImage({ row, previous }: Plan): boolean {
    if (row.deleted || !row.image_key) return false;
    const before = previous?.payload;
    return !before || before.image_key !== row.image_key || before.model_id !== this.options.model.spec.id;
  }

  /** Fetches in parallel. Transient errors fail the batch; permanent ones fail only their product. */
  #fetchAll(plans: Plan[]): Promise<void> {
    return forEachLimit(plans, this.options.fetchConcurrency, async (plan) => {
      try {
        plan.image = await this.options.fetcher.fetch(plan.row.image_key as string);
      } catch (error) {
        if ((error as ProcessorError).retriable !== false) throw error;
        plan.failure = error as PermanentError;
      }
    });
  }

  /** Decodes in parallel: sharp works on the libuv pool, one libvips thread per image. */
  #decodeAll(plans: Plan[]): Promise<void> {
    return forEachLimit(plans, this.options.decodeConcurrency, async (plan) => {
      if (!plan.image) return;
      const before = plan.previous?.payload;
      if (before?.image_sha256 === plan.image.sha256 && before.model_id === this.options.model.spec.id) {
        plan.vector = plan.previous?.vector; // same bytes under a new key: no need to embed again
        return;
      }
      try {
        plan.tensor = await imageToTensor(plan.image.bytes, this.options.model.spec, this.options.maxPixels);
      } catch (error) {
        plan.failure = error as PermanentError;
      }
    });
  }

  #point(plan: Plan): ProductPoint[] {
    const { row, previous } = plan;
    const vector =
      plan.vector ?? previous?.vector ?? (row.deleted ? placeholder(this.options.model.dimension) : undefined);
    // A product with no image yet has nothing to search by; it is indexed once an image arrives.
    if (!vector) return [];
    const payload: ProductPayload = {
      product_id: row.product_id,
      title: row.title,
      category: row.category,
      price: row.price,
      currency: row.currency,
      image_key: row.image_key,
      image_sha256: plan.image?.sha256 ?? previous?.payload.image_sha256 ?? null,
      model_id: this.options.model.spec.id,
      event_time: row.last_event_at?.getTime() ?? 0,
      deleted: row.deleted,
      versions: {
        ...row.field_versions,
        [LAST]: lastVersionOf(row),
      },
    };
    return [{ productId: row.product_id, vector, payload }];
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

/** A tombstone needs some vector; it never shows in a search (deleted = true). */
function placeholder(dimension: number): Float32Array {
  const vector = new Float32Array(dimension);
  vector[0] = 1;
  return vector;
}

/** The merge rules work on a row; the point's payload is that row. */
function rowOf(productId: string, payload: ProductPayload | undefined): ProductRow {
  const versions = { ...(payload?.versions ?? {}) };
  const last = versions[LAST];
  delete versions[LAST];
  const [time, ...id] = last ? last.split('|') : [];
  return {
    product_id: productId,
    title: payload?.title ?? null,
    description: null,
    category: payload?.category ?? null,
    price: payload?.price ?? null,
    currency: payload?.currency ?? null,
    image_key: payload?.image_key ?? null,
    deleted: payload?.deleted ?? false,
    deleted_at: null,
    field_versions: versions,
    last_event_id: id.length ? id.join('|') : null,
    last_event_type: null,
    last_event_at: time ? new Date(Number(time)) : null,
    last_event_partition: null,
    last_event_offset: null,
  };
}
