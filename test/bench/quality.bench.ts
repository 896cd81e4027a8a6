import { join } from 'node:path';
import { CATALOGUE_PHOTOS, SAMPLE_PHOTOS, samplePhotos } from '@vsp/demo';
import { repoRoot } from '@vsp/platform';
import { productImage } from '@vsp/test-harness';
import {
  type BUILT_IN_MODEL_IDS,
  DESCRIPTOR_MODEL,
  EFFICIENTNET_LITE0_MODEL,
  imageToPixels,
  openModel,
} from '@vsp/vector-index';
import sharp, { type Sharp } from 'sharp';

export interface QualityBenchOptions {
  /** Synthetic product photos beside the real ones in the catalogue: the haystack. */
  distractors: number;
}

const MAX_PIXELS = 40_000_000;
/** The photos a shopper might send of a catalogue photo's product. */
const VARIANTS: Record<string, (image: Sharp, width: number, height: number) => Sharp> = {
  crop: (image, w, h) =>
    image.extract({
      left: Math.round(w * 0.2),
      top: Math.round(h * 0.2),
      width: Math.round(w * 0.6),
      height: Math.round(h * 0.6),
    }),
  'rotated 90°': (image) => image.rotate(90),
  'rotated 20°': (image) => image.rotate(20, { background: '#ffffff' }),
  'hue shift': (image) => image.modulate({ hue: 90 }),
  greyscale: (image) => image.grayscale(),
  mirror: (image) => image.flop(),
  'left half': (image, w, h) => image.extract({ left: 0, top: 0, width: Math.round(w / 2), height: h }),
  small: (image) => image.resize({ width: 64 }),
  'JPEG q=8': (image) => image.jpeg({ quality: 8 }),
};
/** Photos of things the catalogue does not sell: a search with them should find nothing similar. */
const UNRELATED = SAMPLE_PHOTOS.filter((photo) => photo.unrelated).map((photo) => photo.file);
/** Second photos of a catalogue product, taken from elsewhere. */
const SECOND_VIEWS = SAMPLE_PHOTOS.filter((photo) => photo.viewOf);

interface Query {
  /** The catalogue product it shows; undefined: none does. */
  expected: string | undefined;
  variant: string;
  vector: Float32Array;
}

/**
 * How well each model finds the product a photo shows: a catalogue of real photographs (scikit-
 * image's samples) among synthetic distractors, searched with other photos of the same thing
 * (a second view, crops, rotations, colour shifts, greyscale, mirror, half, small, recompressed).
 * And how well it says "nothing similar": photos of things not in the catalogue, and every variant
 * of a catalogue photo searched with that photo left out. Both at the threshold the model folder
 * ships and at the one this run would calibrate. Exact search (every vector compared), so the
 * figures are the model's, not the index's.
 */
export async function runQualityBench({ distractors }: QualityBenchOptions): Promise<void> {
  const photos = await samplePhotos(join(repoRoot, 'data/photos'));
  const catalogue = CATALOGUE_PHOTOS.map((p) => p.file);
  const synthetic = await Promise.all(Array.from({ length: distractors }, (_, i) => productImage(80_000 + i)));
  console.log(
    `quality benchmark: ${catalogue.length} real photos among ${distractors} synthetic ones; ` +
      `${catalogue.length * Object.keys(VARIANTS).length + SECOND_VIEWS.length} searches for them, ${UNRELATED.length} unrelated photos`,
  );
  for (const id of [DESCRIPTOR_MODEL.id, EFFICIENTNET_LITE0_MODEL.id] satisfies (typeof BUILT_IN_MODEL_IDS)[number][]) {
    const model = await openModel({
      MODEL: id,
      MODEL_CACHE_DIR: join(repoRoot, 'data/models'),
      INFERENCE_THREADS: 1,
      INFERENCE_BATCH_MAX: 32,
    });
    try {
      const embed = async (images: Buffer[]) =>
        model.embed(await Promise.all(images.map((image) => imageToPixels(image, model.spec, MAX_PIXELS))));
      const items = [...catalogue, ...synthetic.map((_, i) => `synthetic-${i}`)];
      const vectors = await embed([...catalogue.map((file) => photos.get(file) as Buffer), ...synthetic]);
      const queries: Query[] = [];
      for (const file of catalogue) {
        const photo = photos.get(file) as Buffer;
        const { width = 0, height = 0 } = await sharp(photo).metadata();
        for (const [variant, make] of Object.entries(VARIANTS)) {
          const [vector] = await embed([await make(sharp(photo), width, height).png().toBuffer()]);
          queries.push({ expected: file, variant, vector: vector as Float32Array });
        }
      }
      for (const view of SECOND_VIEWS) {
        const [vector] = await embed([photos.get(view.file) as Buffer]);
        queries.push({ expected: view.viewOf, variant: 'second view', vector: vector as Float32Array });
      }
      const unrelated = await embed(UNRELATED.map((file) => photos.get(file) as Buffer));
      report(model.spec.id, model.spec.matchThreshold ?? 1, items, vectors, queries, unrelated);
    } finally {
      await model.close();
    }
  }
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * (b[i] as number), 0);
const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

function report(
  id: string,
  shipped: number,
  items: string[],
  vectors: Float32Array[],
  queries: Query[],
  unrelated: Float32Array[],
) {
  const ranked = (vector: Float32Array, without?: string) =>
    items
      .map((item, i) => ({ item, score: dot(vector, vectors[i] as Float32Array) }))
      .filter(({ item }) => item !== without)
      .sort((a, b) => b.score - a.score);
  const found = queries.map((q) => {
    const ranking = ranked(q.vector);
    return { ...q, rank: ranking.findIndex((r) => r.item === q.expected) + 1, best: ranking[0]?.score ?? 0 };
  });
  // Nothing similar exists: the unrelated photos, and every variant with its own photo left out.
  const unrelatedBest = unrelated.map((vector) => ranked(vector)[0]?.score ?? 0);
  const absent = [...unrelatedBest, ...queries.map((q) => ranked(q.vector, q.expected)[0]?.score ?? 0)].sort(
    (a, b) => a - b,
  );
  const calibrated = fewestWrong(
    found.filter((f) => f.rank === 1).map((f) => f.best),
    absent,
  );
  const share = (predicate: (f: (typeof found)[number]) => boolean) => found.filter(predicate).length / found.length;
  const below = (scores: number[], threshold: number) =>
    `${scores.filter((s) => s < threshold).length}/${scores.length}`;
  console.log(`  ${id}:`);
  // mAP: one relevant product per search, so the mean reciprocal rank.
  const meanAveragePrecision = found.reduce((sum, f) => sum + (f.rank > 0 ? 1 / f.rank : 0), 0) / found.length;
  console.log(
    `    recall@1 ${percent(share((f) => f.rank === 1))}, recall@5 ${percent(share((f) => f.rank >= 1 && f.rank <= 5))}, ` +
      `mAP ${meanAveragePrecision.toFixed(3)}`,
  );
  for (const [name, threshold] of [
    ['shipped in the model folder', shipped],
    ['calibrated on this run (fewest wrong answers)', calibrated],
  ] as const) {
    console.log(
      `    threshold ${threshold.toFixed(3)}, ${name}: found first and similar ${percent(share((f) => f.rank === 1 && f.best >= threshold))}; ` +
        `unrelated photos below it ${below(unrelatedBest, threshold)}, all searches without a match ${below(absent, threshold)} ` +
        `(false matches ${percent(absent.filter((s) => s >= threshold).length / absent.length)})`,
    );
  }
  for (const variant of [...Object.keys(VARIANTS), 'second view']) {
    const of = found.filter((f) => f.variant === variant);
    console.log(`    ${variant.padEnd(12)} found first ${of.filter((f) => f.rank === 1).length}/${of.length}`);
  }
}

/**
 * The threshold that answers most searches right: matches found first at or above it, searches
 * without a match below it. Midway between the two scores where it falls, so that it does not sit
 * on one of them.
 */
function fewestWrong(matches: number[], nonMatches: number[]): number {
  const scores = [...matches, ...nonMatches].sort((a, b) => a - b);
  let best = { threshold: 1, wrong: Number.POSITIVE_INFINITY };
  for (let i = 0; i <= scores.length; i++) {
    const threshold = i === 0 ? 0 : i === scores.length ? 1 : ((scores[i - 1] as number) + (scores[i] as number)) / 2;
    const wrong = matches.filter((s) => s < threshold).length + nonMatches.filter((s) => s >= threshold).length;
    if (wrong < best.wrong) best = { threshold, wrong };
  }
  return best.threshold;
}
