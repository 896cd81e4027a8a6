import type { TestContext } from 'node:test';
import { createEventTopic, productEvent } from '@vsp/processors/testing';
import { productImage } from '@vsp/test-harness';
import { startImageHost } from '@vsp/vector-index/testing';

export interface PhotoCatalogue {
  host: Awaited<ReturnType<typeof startImageHost>>;
  topic: Awaited<ReturnType<typeof createEventTopic>>;
  /** p0 … p<n-1>, in the order their events were produced. */
  ids: string[];
}

/**
 * `products` created products ("Товар <i>", image `p<i>/main.jpg`) on a new 3-partition topic, their
 * photos served by a loopback image host. `photos` distinct pictures are shared round-robin: fewer
 * make the set up faster, as many as products make every vector distinct.
 */
export async function photoCatalogue(
  t: TestContext,
  { products, photos = products, seed }: { products: number; photos?: number; seed: number },
): Promise<PhotoCatalogue> {
  const host = await startImageHost(t);
  const images = await Promise.all(Array.from({ length: photos }, (_, i) => productImage(seed + i)));
  const ids = Array.from({ length: products }, (_, i) => `p${i}`);
  for (const [i, id] of ids.entries()) host.put(`${id}/main.jpg`, images[i % photos] as Buffer);
  const topic = await createEventTopic(t, 3);
  await topic.produce(
    ids.map((id, i) =>
      productEvent('product.created', id, Date.UTC(2025, 10, 12) + i, {
        title: `Товар ${i}`,
        image_key: `${id}/main.jpg`,
      }),
    ),
  );
  return { host, topic, ids };
}
