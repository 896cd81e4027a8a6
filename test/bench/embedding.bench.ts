import { repoRoot } from '@vsp/platform';
import { createEventTopic, productEvent, startTestEmbedding } from '@vsp/processors/testing';
import { productImage } from '@vsp/test-harness';
import { EFFICIENTNET_LITE0_MODEL, imageToPixels } from '@vsp/vector-index';
import {
  CLIP_SIZED_MODEL,
  CLIP_SIZED_MULTIPLY_ADDS,
  ensureClipSizedModel,
  startImageHost,
} from '@vsp/vector-index/testing';
import sharp from 'sharp';
import { CleanupScope } from './cleanup-scope.js';
import { stageLines } from './stage-times.js';

export interface EmbeddingBenchOptions {
  /** Images per run with the generated descriptor. */
  images: number;
  /** Images per run with the pretrained model. */
  pretrainedImages: number;
  /** Images per run with the CLIP-sized stand-in. */
  clipImages: number;
}

const MAX_PIXELS = 40_000_000;

/**
 * Images/s through the whole embedding processor (fetch over loopback HTTP, decode with sharp,
 * infer in the worker, upsert into Qdrant, commit) next to bare inference of the same images,
 * already decoded, through the same model: first with the generated descriptor (where decoding
 * dominates), then with a CLIP ViT-B/32-sized stand-in (where inference dominates) for each
 * INFERENCE_THREADS and INFERENCE_BATCH_MAX.
 */
export async function runEmbeddingBench({
  images,
  pretrainedImages,
  clipImages,
}: EmbeddingBenchOptions): Promise<void> {
  const count = Math.max(images, pretrainedImages, clipImages);
  const photos = await Promise.all(Array.from({ length: count }, (_, i) => productImage(70_000 + i)));
  console.log(`embedding benchmark: product photos (480x360 JPEG) from a loopback image host`);
  await decodeFigures(photos.slice(0, 400));

  console.log(`  generated descriptor (${images} images, default settings):`);
  await processorAgainstBare(photos.slice(0, images), {}, 64);

  const pretrained = { MODEL: EFFICIENTNET_LITE0_MODEL.id, MODEL_CACHE_DIR: `${repoRoot}data/models` };
  console.log(`  ${EFFICIENTNET_LITE0_MODEL.id} (the default model; ${pretrainedImages} images, default settings):`);
  console.log('  a loopback image host answering at once:');
  await processorAgainstBare(photos.slice(0, pretrainedImages), pretrained, 32);
  console.log('  an image host answering after 50 ms, 1% of the images missing (404):');
  await processorAgainstBare(photos.slice(0, pretrainedImages), pretrained, 32, { latencyMs: 50, missingEvery: 100 });

  const modelDir = ensureClipSizedModel(`${repoRoot}data/models`);
  const gigaMacs = (CLIP_SIZED_MULTIPLY_ADDS / 1e9).toFixed(1);
  console.log(
    `  CLIP ViT-B/32-sized stand-in (${CLIP_SIZED_MODEL.size}x${CLIP_SIZED_MODEL.size} in, ${CLIP_SIZED_MODEL.dimension} out, ` +
      `${gigaMacs} G multiply-adds per image, random weights; ${modelDir}), ${clipImages} images per run:`,
  );
  for (const threads of [1, 2]) {
    for (const batch of [1, 8, 32]) {
      console.log(`  INFERENCE_THREADS=${threads} INFERENCE_BATCH_MAX=${batch}:`);
      await processorAgainstBare(
        photos.slice(0, clipImages),
        { MODEL_DIR: modelDir, INFERENCE_THREADS: String(threads), INFERENCE_BATCH_MAX: String(batch) },
        batch,
      );
    }
  }
}

/**
 * Decoding alone, one image at a time: with libvips' shrink-on-load (the JPEG decoder scales by
 * 1/2, 1/4 or 1/8 while decoding, when the target is that much smaller) and without, for the
 * bench photos and for marketplace-sized ones.
 */
async function decodeFigures(photos: Buffer[]): Promise<void> {
  const large = await Promise.all(
    photos.slice(0, 100).map((_, i) => productImage(80_000 + i, { width: 1600, height: 1200 })),
  );
  const rate = async (set: Buffer[], size: number, fastShrinkOnLoad: boolean) => {
    const started = performance.now();
    for (const photo of set) {
      await sharp(photo).rotate().resize(size, size, { fit: 'cover', fastShrinkOnLoad }).raw().toBuffer();
    }
    return set.length / ((performance.now() - started) / 1000);
  };
  for (const [name, set] of [
    ['480x360', photos],
    ['1600x1200', large],
  ] as const) {
    for (const size of [64, 224]) {
      const [without, withShrink] = [await rate(set, size, false), await rate(set, size, true)];
      console.log(
        `  decode ${name} to ${size}x${size}: ${without.toFixed(0)} images/s decoding in full, ` +
          `${withShrink.toFixed(0)} images/s with shrink-on-load (x${(withShrink / without).toFixed(1)})`,
      );
    }
  }
}

/**
 * One processor run (started idle, then the events produced, timed until all are handled) and
 * bare inference of the same images through the same model in batches of `batch`. The image host
 * may answer late and lack every `missingEvery`-th image, as a real one over a network does.
 */
async function processorAgainstBare(
  photos: Buffer[],
  overrides: Record<string, string>,
  batch: number,
  { latencyMs = 0, missingEvery = 0 }: { latencyMs?: number; missingEvery?: number } = {},
) {
  const scope = new CleanupScope();
  try {
    const host = await startImageHost(scope);
    host.setLatency(latencyMs);
    for (const [i, photo] of photos.entries()) {
      if (missingEvery === 0 || i % missingEvery !== missingEvery - 1) host.put(`p${i}/main.jpg`, photo);
    }
    const topic = await createEventTopic(scope, 3);
    const embedding = await startTestEmbedding(scope, topic.topic, host.baseUrl, overrides);
    const started = performance.now();
    await topic.produce(
      photos.map((_, i) =>
        productEvent('product.created', `p${i}`, Date.UTC(2025, 10, 12) + i, {
          title: `Товар ${i}`,
          image_key: `p${i}/main.jpg`,
        }),
      ),
    );
    await embedding.waitForHandled(photos.length, 1_800_000);
    const wallSeconds = (performance.now() - started) / 1000;
    const pipeline = photos.length / wallSeconds;

    const model = embedding.model;
    const tensors = await Promise.all(photos.map((photo) => imageToPixels(photo, model.spec, MAX_PIXELS)));
    const inferStarted = performance.now();
    for (let i = 0; i < tensors.length; i += batch) await model.embed(tensors.slice(i, i + batch));
    const bare = photos.length / ((performance.now() - inferStarted) / 1000);

    console.log(
      `    whole processor ${pipeline.toFixed(1)} images/s, bare inference (batches of ${batch}) ${bare.toFixed(1)} images/s: ` +
        `${((pipeline / bare) * 100).toFixed(0)}%`,
    );
    for (const line of await stageLines(embedding.metrics, wallSeconds)) console.log(`    ${line}`);
  } finally {
    await scope.close();
  }
}
