import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearDuplicate, productImage, readRecords, waitFor } from '@vsp/test-harness';
import { imageToPixels } from '@vsp/vector-index';
import { startImageHost } from '@vsp/vector-index/testing';
import sharp from 'sharp';
import { counterTotal, createEventTopic, productEvent, startTestEmbedding } from '../testing/index.js';

const T0 = Date.UTC(2025, 10, 12, 10);

test('embedding should index products, update payloads without re-fetching, re-embed a new image and hide deleted products', async (t) => {
  const host = await startImageHost(t);
  const [red, blue] = [await productImage(1), await productImage(2)];
  host.put('p1/a.jpg', red);
  host.put('p1/b.jpg', blue);
  host.put('p2/a.jpg', blue);
  host.put('p2/copy.jpg', blue);
  const topic = await createEventTopic(t, 3);
  const events = [
    productEvent('product.created', 'p1', T0, { title: 'Красный', price: '10', image_key: 'p1/a.jpg' }),
    productEvent('product.created', 'p2', T0, { title: 'Синий', image_key: 'p2/a.jpg' }),
    productEvent('product.updated', 'p1', T0 + 1_000, { title: 'Красный (скидка)', price: '9.5' }),
    productEvent('product.image.updated', 'p1', T0 + 2_000, { image_key: 'p1/b.jpg' }),
    productEvent('product.image.updated', 'p2', T0 + 2_000, { image_key: 'p2/copy.jpg' }),
    productEvent('product.created', 'p3', T0, { title: 'Удалят', image_key: 'p2/a.jpg' }),
    productEvent('product.deleted', 'p3', T0 + 3_000),
    productEvent('product.updated', 'p3', T0 + 2_500, { title: 'Поздно' }),
  ];
  // Delivered twice and shuffled: the index must end the same.
  await topic.produce([...events].reverse());
  await topic.produce(events);

  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl);
  await embedding.waitForHandled(events.length * 2);

  const points = await embedding.store.get(['p1', 'p2', 'p3']);
  assert.equal(points.get('p1')?.payload.title, 'Красный (скидка)');
  assert.equal(points.get('p1')?.payload.price, '9.5');
  assert.equal(points.get('p1')?.payload.image_key, 'p1/b.jpg');
  assert.equal(points.get('p2')?.payload.image_key, 'p2/copy.jpg');
  assert.equal(points.get('p3')?.payload.deleted, true);
  assert.equal(points.get('p1')?.payload.model_id, embedding.model.spec.id);
  const [blueVector] = await embedding.model.embed([await imageToPixels(blue, embedding.model.spec, 40_000_000)]);
  const hits = await embedding.store.search(blueVector as Float32Array, 5);
  assert.deepEqual(hits.map((h) => h.productId).sort(), ['p1', 'p2'], 'p3 is deleted and stays out of search');
  assert.ok((hits[0]?.score as number) > 0.999);
  // Duplicates, the title update and replays fetched nothing again.
  assert.ok(
    [...host.requests.values()].every((n) => n === 1),
    JSON.stringify([...host.requests]),
  );
});

test('embedding should find a resized, recompressed copy of a product photo first among 200 products', async (t) => {
  const host = await startImageHost(t);
  const topic = await createEventTopic(t, 3);
  const originals = await Promise.all(Array.from({ length: 200 }, (_, i) => productImage(5_000 + i)));
  for (const [i, image] of originals.entries()) host.put(`p${i}/main.jpg`, image);
  await topic.produce(
    originals.map((_, i) =>
      productEvent('product.created', `p${i}`, T0 + i, { title: `Товар ${i}`, image_key: `p${i}/main.jpg` }),
    ),
  );

  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl);
  await embedding.waitForHandled(200);

  let hits = 0;
  for (const [i, original] of originals.entries()) {
    const [query] = await embedding.model.embed([
      await imageToPixels(await nearDuplicate(original), embedding.model.spec, 40_000_000),
    ]);
    const [best] = await embedding.store.search(query as Float32Array, 1);
    if (best?.productId === `p${i}`) hits++;
  }
  t.diagnostic(`recall@1 over 200 near-duplicate queries: ${hits}/200 = ${(hits / 200).toFixed(3)}`);
  assert.ok(hits / 200 >= 0.95);
});

test('embedding should dead-letter a missing, non-image, bomb or oversize image with its reason, and go on', async (t) => {
  const host = await startImageHost(t);
  const bomb = await sharp({ create: { width: 12_000, height: 12_000, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  host.put('text.jpg', Buffer.from('this is not a JPEG'));
  host.put('page.html', Buffer.from('<html></html>'), 'text/html');
  host.put('bomb.png', bomb, 'image/png');
  // Noise does not compress: well over the byte cap below.
  const noise = Buffer.from(Array.from({ length: 1_500 * 1_500 * 3 }, (_, i) => (i * 2_654_435_761) >>> 24));
  const oversize = await sharp(noise, { raw: { width: 1_500, height: 1_500, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
  host.put('big.jpg', oversize);
  host.put('good.jpg', await productImage(10));
  const topic = await createEventTopic(t, 1);
  const keys = ['missing.jpg', 'text.jpg', 'page.html', 'bomb.png', 'big.jpg', 'good.jpg'];
  await topic.produce(keys.map((key, i) => productEvent('product.created', `p${i}`, T0, { image_key: key })));

  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl, {
    IMAGE_MAX_BYTES: String(bomb.length + 1),
    IMAGE_MAX_PIXELS: '100000000',
  });
  await embedding.waitForHandled(keys.length);
  assert.ok(oversize.length > bomb.length + 1);
  const letters = await readRecords(t, topic.dlq, 5);

  const reasons = Object.fromEntries(letters.map((l) => [String(l.key), l.headers['dlq.error.code']]));
  assert.deepEqual(reasons, {
    p0: 'IMAGE_NOT_FOUND',
    p1: 'IMAGE_UNDECODABLE',
    p2: 'IMAGE_REFUSED',
    p3: 'IMAGE_TOO_LARGE',
    p4: 'IMAGE_TOO_LARGE',
  });
  assert.ok(letters.every((l) => l.headers['dlq.stage'] === 'sink'));
  assert.equal((await embedding.store.get(['p5'])).size, 1, 'the good product after them is indexed');
});

test('embedding should pause while the image host is down, say so in its health, dead-letter nothing, and index once it is back', async (t) => {
  const host = await startImageHost(t);
  host.put('p1/main.jpg', await productImage(21));
  host.setDown(true);
  const topic = await createEventTopic(t, 1);
  await topic.produce([productEvent('product.created', 'p1', T0, { image_key: 'p1/main.jpg' })]);

  const embedding = await startTestEmbedding(t, topic.topic, host.baseUrl, { BREAKER_VOLUME_THRESHOLD: '2' });
  await waitFor(() => embedding.health().paused !== null, { description: 'the consumer to pause', timeoutMs: 30_000 });
  const health = embedding.health();
  assert.equal(health.status, 'degraded');
  assert.deepEqual((health.paused as { dependency: string }).dependency, 'image-host', 'the image host, not the index');
  assert.ok(
    health.problems.some((p) => p.includes('image-host')),
    health.problems.join('; '),
  );
  assert.equal(await counterTotal(embedding.metrics, 'deadLetters'), 0);

  host.setDown(false);
  await embedding.waitForHandled(1);

  assert.equal((await embedding.store.get(['p1'])).size, 1);
  assert.equal(await counterTotal(embedding.metrics, 'deadLetters'), 0);
});
