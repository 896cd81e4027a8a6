import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SAMPLE_PHOTOS, type SamplePhoto, samplePhotos } from '@vsp/demo';
import { repoRoot } from '@vsp/platform';
import {
  createVectorIndex,
  nearDuplicate,
  onCleanup,
  productImage,
  rawHttpExchange,
  skipWithoutQdrant,
  stopService,
  TEST_INDEX_STORES,
  waitFor,
} from '@vsp/test-harness';
import { DESCRIPTOR_MODEL } from '@vsp/vector-index';
import pino from 'pino';
import sharp from 'sharp';
import { CATALOGUE_PRODUCTS, indexedCatalogue, startTestSearch } from './testing/index.js';

const PRODUCTS = CATALOGUE_PRODUCTS;

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON checked field by field by each test
type Answer = { status: number; body: any; timing?: string | null };

async function post(
  url: string,
  body: FormData | Buffer | string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', body, headers });
  return { status: response.status, body: await response.json(), timing: response.headers.get('server-timing') };
}

function form(image: Buffer, type = 'image/jpeg', fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  data.append('image', new Blob([image], { type }), 'photo.jpg');
  return data;
}

for (const { store, title, options } of TEST_INDEX_STORES) {
  test(
    `on ${title}, search should find the product of a recompressed photo first, by upload or raw body, with its fields and image URL`,
    options,
    async (t) => {
      const { images, search } = await indexedCatalogue(t, { VECTOR_STORE: store });
      const photo = await nearDuplicate(images[12] as Buffer);

      const multipart = await post(`${search.url}/api/v1/search?k=5`, form(photo));
      const raw = await post(`${search.url}/api/v1/search?k=3`, photo, { 'content-type': 'image/jpeg' });

      assert.equal(multipart.status, 200, JSON.stringify(multipart.body));
      assert.equal(multipart.body.results.length, 5);
      assert.deepEqual(
        { ...multipart.body.results[0], score: undefined },
        {
          product_id: 'p12',
          score: undefined,
          title: 'Товар 12',
          category: 'Обувь',
          price: '2200.5',
          currency: 'KGS',
          image_key: 'p12/main.jpg',
          image_url: new URL('p12/main.jpg', search.config.IMAGE_BASE_URL).toString(),
          similar: true,
        },
      );
      assert.ok(multipart.body.results[0].score > 0.9);
      assert.match(multipart.body.collection, /_v1$/);
      assert.equal(multipart.body.model_id, 'vsp-colour-gradient-v1');
      assert.equal(typeof multipart.body.took_ms, 'number');
      assert.match(multipart.timing ?? '', /^decode;dur=\d+\.\d\d, embed;dur=\d+\.\d\d, query;dur=\d+\.\d\d$/);
      assert.equal(raw.status, 200);
      assert.equal(raw.body.results[0].product_id, 'p12');
      assert.equal(raw.body.results.length, 3);
      const metrics = await (await fetch(`${search.url}/api/v1/metrics`)).text();
      for (const stage of ['decode', 'embed', 'query']) {
        assert.match(metrics, new RegExp(`visual_search_search_stage_seconds_count\\{stage="${stage}"\\} 2`));
      }
    },
  );

  test(
    `on ${title}, search should apply category, currency and price filters (decimal comma too), list the categories it can filter by, never show a deleted product, and find similar products without the product itself`,
    options,
    async (t) => {
      const { images, search } = await indexedCatalogue(t, { VECTOR_STORE: store });
      const photo = await nearDuplicate(images[7] as Buffer);
      const ask = async (query: string) =>
        (await post(`${search.url}/api/v1/search?k=40&${query}`, form(photo))).body.results as {
          product_id: string;
          category: string;
          price: string;
          currency: string;
        }[];

      const shoes = await ask(`category=${encodeURIComponent('Обувь')}`);
      const dollars = await ask('currency=USD');
      const band = await ask('min_price=1500&max_price=2000.5');
      const bandWithCommas = await ask(`min_price=1500&max_price=${encodeURIComponent('2000,5')}`);
      const all = await ask('');
      const categories = await (await fetch(`${search.url}/api/v1/categories`)).json();
      const similar: Answer['body'] = await (await fetch(`${search.url}/api/v1/products/p12/similar?k=40`)).json();

      assert.ok(shoes.length === PRODUCTS / 2 && shoes.every((r) => r.category === 'Обувь'));
      assert.deepEqual(dollars.map((r) => r.product_id).sort(), ['p0', 'p10', 'p15', 'p20', 'p25', 'p30', 'p35', 'p5']);
      assert.deepEqual(
        band.map((r) => Number(r.price)).sort((a, b) => a - b),
        [1500.5, 1600.5, 1800.5, 1900.5, 2000.5],
        'p7 (1700.5) is deleted',
      );
      assert.deepEqual(bandWithCommas, band);
      assert.deepEqual(categories, {
        categories: [
          { category: 'Обувь', products: PRODUCTS / 2 },
          { category: 'Одежда', products: PRODUCTS / 2 - 1 },
        ],
      });
      assert.equal(all.length, PRODUCTS - 1, 'every product but the deleted one');
      assert.ok(!all.some((r) => r.product_id === 'p7'), 'the deleted product never appears');
      assert.equal(similar.results.length, PRODUCTS - 2);
      assert.ok(!similar.results.some((r: { product_id: string }) => r.product_id === 'p12' || r.product_id === 'p7'));
    },
  );
}

test('search should answer every bad request with its own status and code', async (t) => {
  const { images, search } = await indexedCatalogue(t);
  const photo = images[1] as Buffer;
  const bomb = await sharp({ create: { width: 12_000, height: 12_000, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  const huge = Buffer.alloc(search.config.IMAGE_MAX_BYTES + 1024, 1);
  const url = `${search.url}/api/v1/search`;
  const noImage = new FormData();
  noImage.append('k', '5');

  const answers = {
    missing: await post(url, noImage),
    kZero: await post(`${url}?k=0`, form(photo)),
    kHuge: await post(`${url}?k=${search.config.SEARCH_MAX_K + 1}`, form(photo)),
    badPrice: await post(`${url}?min_price=cheap`, form(photo)),
    reversed: await post(`${url}?min_price=10&max_price=5`, form(photo)),
    textBody: await post(url, 'hello', { 'content-type': 'text/plain' }),
    textPart: await post(url, form(Buffer.from('hello'), 'text/plain')),
    tooLarge: await post(url, form(huge)),
    tooLargeRaw: await post(url, huge, { 'content-type': 'image/jpeg' }),
    undecodable: await post(url, Buffer.from('not a jpeg at all'), { 'content-type': 'image/jpeg' }),
    bomb: await post(url, bomb, { 'content-type': 'image/png' }),
    unknown: await (async (): Promise<Answer> => {
      const response = await fetch(`${search.url}/api/v1/products/nope/similar`);
      return { status: response.status, body: await response.json() };
    })(),
    noRoute: await (async (): Promise<Answer> => {
      const response = await fetch(`${search.url}/api/v1/nowhere`);
      return { status: response.status, body: await response.json() };
    })(),
    rawCyrillicUrl: await (async (): Promise<Answer> => {
      const request = Buffer.from('GET /api/v1/categories?category=Обувь HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const { status, body } = await rawHttpExchange(search.url, request);
      return { status, body: JSON.parse(body) };
    })(),
  };

  const seen = Object.fromEntries(Object.entries(answers).map(([name, a]) => [name, `${a.status} ${a.body.code}`]));
  assert.deepEqual(seen, {
    missing: '400 IMAGE_MISSING',
    kZero: '400 QUERY_INVALID',
    kHuge: '400 QUERY_INVALID',
    badPrice: '400 QUERY_INVALID',
    reversed: '400 QUERY_INVALID',
    textBody: '415 QUERY_MEDIA_TYPE_UNSUPPORTED',
    textPart: '415 QUERY_MEDIA_TYPE_UNSUPPORTED',
    tooLarge: '413 QUERY_IMAGE_TOO_LARGE',
    tooLargeRaw: '413 QUERY_IMAGE_TOO_LARGE',
    undecodable: '422 QUERY_IMAGE_UNDECODABLE',
    bomb: '413 QUERY_IMAGE_TOO_LARGE',
    unknown: '404 PRODUCT_NOT_FOUND',
    noRoute: '404 NOT_FOUND',
    rawCyrillicUrl: '400 HTTP_REQUEST_MALFORMED',
  });
  for (const answer of Object.values(answers)) {
    assert.deepEqual(Object.keys(answer.body).sort(), ['code', 'message'], 'no stack trace, nothing else');
  }
});

test('search with an API key should refuse requests without it and serve those with it; health stays open', async (t) => {
  const key = 'a-key-of-sixteen-or-more';
  const { images, search } = await indexedCatalogue(t, {
    SEARCH_API_KEY: key,
    SEARCH_CORS_ORIGINS: 'https://shop.example',
  });
  const url = `${search.url}/api/v1/search?k=1`;

  const without = await post(url, form(images[3] as Buffer));
  const wrong = await post(url, form(images[3] as Buffer), { authorization: 'Bearer not-the-key-at-all-x' });
  const withKey = await post(url, form(images[3] as Buffer), { authorization: `Bearer ${key}` });
  const ready = await fetch(`${search.url}/api/v1/ready`);
  const preflight = await fetch(url, {
    method: 'OPTIONS',
    headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
  });

  assert.equal(`${without.status} ${without.body.code}`, '401 UNAUTHORIZED');
  assert.equal(`${wrong.status} ${wrong.body.code}`, '401 UNAUTHORIZED');
  assert.equal(withKey.status, 200);
  assert.equal(withKey.body.results[0].product_id, 'p3');
  assert.equal(ready.status, 200);
  assert.equal(((await ready.json()) as { ready: boolean }).ready, true);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
});

test('the search service should serve only image files inside its local image folder, by real path', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'search-images-'));
  onCleanup(t, () => rmSync(root, { recursive: true, force: true }));
  const folder = join(root, 'images');
  mkdirSync(join(folder, 'p1'), { recursive: true });
  const photo = await productImage(61_000);
  writeFileSync(join(folder, 'p1', 'main.jpg'), photo);
  writeFileSync(join(root, 'secret.txt'), 'outside the folder');
  writeFileSync(join(root, 'secret.jpg'), photo);
  writeFileSync(join(folder, '.env'), 'WEBHOOK_SECRET=do-not-serve-this');
  writeFileSync(join(folder, 'notes.txt'), 'not a picture');
  mkdirSync(join(folder, '.hidden'));
  writeFileSync(join(folder, '.hidden', 'a.jpg'), photo);
  symlinkSync(join('..', 'secret.txt'), join(folder, 'link.jpg'));
  symlinkSync(join('..', 'secret.jpg'), join(folder, 'outside.jpg'));
  symlinkSync(join('p1', 'main.jpg'), join(folder, 'inside.jpg'));
  const index = await createVectorIndex(t);
  const search = await startTestSearch(t, {
    ...index.env,
    MODEL_CACHE_DIR: join(root, 'models'),
    IMAGE_BASE_URL: pathToFileURL(`${folder}/`).href,
  });
  const get = async (key: string) => {
    const response = await fetch(`${search.url}/images/${key}`);
    return `${response.status} ${response.headers.get('content-type')?.split(';')[0]}`;
  };

  assert.equal(await get('p1/main.jpg'), '200 image/jpeg');
  assert.equal(await get('inside.jpg'), '200 image/jpeg', 'a link that stays inside the folder is followed');
  for (const key of ['link.jpg', 'outside.jpg', '.env', 'notes.txt', '.hidden/a.jpg', '%2e%2e/secret.jpg']) {
    assert.equal(await get(key), '404 application/json', `${key} is not served`);
  }
});

test('search readiness should turn 503 while Qdrant is down and 200 again once it is back', {
  skip: skipWithoutQdrant(),
}, async (t) => {
  const { search } = await indexedCatalogue(t, { VECTOR_STORE: 'qdrant' });
  const ready = async () => {
    const response = await fetch(`${search.url}/api/v1/ready`);
    return { status: response.status, body: (await response.json()) as { ready: boolean; problem: string | null } };
  };
  assert.equal((await ready()).status, 200);

  const qdrant = await stopService(t, 'qdrant');
  const down = await waitFor(async () => ((await ready()).status === 503 ? ready() : false), {
    description: 'readiness to notice Qdrant is down',
    timeoutMs: 10_000,
    intervalMs: 100,
  });
  await qdrant.restart();
  await waitFor(async () => (await ready()).status === 200, {
    description: 'readiness once Qdrant is back',
    timeoutMs: 30_000,
    intervalMs: 100,
  });

  assert.equal(down.body.ready, false);
  assert.match(down.body.problem ?? '', /vector store does not answer/);
});

test('search should mark as similar only results at or above the model’s match threshold: a photo of something not in the catalogue has none', async (t) => {
  const { images, search } = await indexedCatalogue(t);
  const [cat] = (await samplePhotos(join(repoRoot, 'data/photos'), [SAMPLE_PHOTOS[0] as SamplePhoto])).values();
  const url = `${search.url}/api/v1/search?k=5`;

  const copy = await post(url, form(await nearDuplicate(images[12] as Buffer)));
  const unrelated = await post(url, form(cat as Buffer, 'image/png'));

  assert.equal(copy.body.match_threshold, DESCRIPTOR_MODEL.matchThreshold);
  assert.equal(copy.body.results[0].product_id, 'p12');
  assert.equal(copy.body.results[0].similar, true);
  t.diagnostic(`a cat's best score ${unrelated.body.results[0].score.toFixed(3)}`);
  assert.equal(unrelated.body.results.length, 5, 'the nearest are still listed');
  assert.deepEqual(
    unrelated.body.results.map((r: { similar: boolean }) => r.similar),
    [false, false, false, false, false],
  );
});

test('the search service should log one line per answer with method, path, status and time, and the probes, metrics and page only at debug', async (t) => {
  const index = await createVectorIndex(t);
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line));
      },
    },
  );
  const models = mkdtempSync(join(tmpdir(), 'search-log-models-'));
  onCleanup(t, () => rmSync(models, { recursive: true, force: true }));
  const search = await startTestSearch(
    t,
    { ...index.env, MODEL_CACHE_DIR: models, IMAGE_BASE_URL: 'http://127.0.0.1:1/' },
    {},
    logger,
  );

  for (const path of ['/api/v1/health', '/api/v1/ready', '/api/v1/metrics', '/', '/api/v1/categories']) {
    await (await fetch(`${search.url}${path}?x=1`)).arrayBuffer();
  }

  const requestLines = lines.filter(({ msg }) => /^GET \//.test(msg ?? ''));
  assert.deepEqual(
    requestLines.map(({ level, msg }) => `${level === 20 ? 'debug' : 'info'} ${msg.replace(/ [\d.]+ ms$/, ' ms')}`),
    [
      'debug GET /api/v1/health 200 ms',
      `debug GET /api/v1/ready ${requestLines[1]?.msg.split(' ')[2]} ms`,
      'debug GET /api/v1/metrics 200 ms',
      'debug GET / 200 ms',
      `info GET /api/v1/categories ${requestLines[4]?.msg.split(' ')[2]} ms`,
    ],
  );
  assert.ok(!lines.some(({ msg }) => msg === 'incoming request' || msg === 'request completed'));
});
