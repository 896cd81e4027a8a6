import {
  createEventTopic,
  productEvent,
  productImage,
  startImageHost,
  startTestEmbedding,
} from '@vsp/processors/testing';
import { imageToTensor } from '../../processors/src/embedding/images/image-preprocessor.js';
import { CleanupScope } from './cleanup-scope.js';
import { stageLines } from './stage-times.js';

export interface EmbeddingBenchOptions {
  images: number;
}

const BATCH = 64;

/**
 * Images/s through the whole embedding processor (fetch over loopback HTTP, decode with sharp,
 * infer in the worker, upsert into Qdrant, commit) next to bare inference of the same images,
 * already decoded, in batches of 64 through the same model worker.
 */
export async function runEmbeddingBench({ images }: EmbeddingBenchOptions): Promise<void> {
  const scope = new CleanupScope();
  try {
    const host = await startImageHost(scope);
    const photos = await Promise.all(Array.from({ length: images }, (_, i) => productImage(70_000 + i)));
    for (const [i, photo] of photos.entries()) host.put(`p${i}/main.jpg`, photo);
    const topic = await createEventTopic(scope, 3);
    await topic.produce(
      photos.map((_, i) =>
        productEvent('product.created', `p${i}`, Date.UTC(2025, 10, 12) + i, {
          title: `Товар ${i}`,
          image_key: `p${i}/main.jpg`,
        }),
      ),
    );
    console.log(`embedding benchmark: ${images} product photos (480x360 JPEG) from a loopback image host`);

    const started = performance.now();
    const embedding = await startTestEmbedding(scope, topic.topic, host.baseUrl);
    await embedding.waitForHandled(images, 600_000);
    const pipeline = images / ((performance.now() - started) / 1000);

    const decodeStarted = performance.now();
    const tensors: Float32Array[] = [];
    for (let i = 0; i < photos.length; i += 2) {
      tensors.push(
        ...(await Promise.all(photos.slice(i, i + 2).map((p) => imageToTensor(p, embedding.model.spec, 40_000_000)))),
      );
    }
    const decodeSeconds = (performance.now() - decodeStarted) / 1000;
    const inferStarted = performance.now();
    for (let i = 0; i < tensors.length; i += BATCH) await embedding.model.embed(tensors.slice(i, i + BATCH));
    const inferSeconds = (performance.now() - inferStarted) / 1000;
    const bare = images / inferSeconds;
    const decodeAndInfer = images / (decodeSeconds + inferSeconds);

    console.log(`  whole processor (fetch, decode, infer, upsert, commit): ${pipeline.toFixed(0)} images/s`);
    console.log(`  bare inference on the decoded images, batches of ${BATCH}: ${bare.toFixed(0)} images/s`);
    console.log(`  processor / bare inference: ${((pipeline / bare) * 100).toFixed(0)}%`);
    console.log(`  bare decode (sharp, 2 at a time) + inference, no I/O: ${decodeAndInfer.toFixed(0)} images/s`);
    console.log(`  processor / bare decode + inference: ${((pipeline / decodeAndInfer) * 100).toFixed(0)}%`);
    for (const line of await stageLines(embedding.metrics)) console.log(line);
  } finally {
    await scope.close();
  }
}
