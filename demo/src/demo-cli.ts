import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebhookSignature } from '@vsp/ingress';
import { dotenvPath, loadConfig, PipelineError, repoRoot, runCommandLine, UsageError, waitFor } from '@vsp/platform';
import pg from 'pg';
import { DemoConfigSchema } from './config.js';
import { type DemoProduct, demoCatalogue, demoSearches } from './demo-catalogue.js';
import { SAMPLE_PHOTO_PACKAGE } from './sample-photos.js';

const USAGE = `usage: npm run demo -- [--timeout SECONDS]
  With the pipeline running (npm start in another terminal): writes a catalogue of real photographs
  (scikit-image's sample photos, fetched with pip once into data/photos) into the local image
  folder (IMAGE_BASE_URL, default data/images), sends their product.created webhooks to the
  ingress once it is ready for them, waits until PostgreSQL has the rows and the index the
  vectors (default at most 120 s), then searches with another photo of one product and with a
  photo of something not for sale, and prints what each found. Running it again re-sends the
  same products (updates nothing, duplicates nothing).`;

class DemoFailedError extends PipelineError {
  static override readonly code = 'DEMO_FAILED';
}

await runCommandLine({
  name: 'demo',
  usage: USAGE,
  options: { timeout: { type: 'string', default: '120' } },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const timeoutMs = Number(values.timeout) * 1000;
    if (!(timeoutMs > 0)) throw new UsageError(`--timeout ${values.timeout}: expected a number of seconds`);
    const config = loadConfig(DemoConfigSchema, { dotenvPath });
    if (!config.IMAGE_BASE_URL.startsWith('file:')) {
      throw new DemoFailedError(
        `IMAGE_BASE_URL is ${config.IMAGE_BASE_URL}: the demo writes its photos into a local folder, so it runs only when IMAGE_BASE_URL is a file: URL (the default, data/images)`,
      );
    }
    const ingress = `http://localhost:${config.PORT}`;
    const search = `http://localhost:${config.SEARCH_PORT}`;
    const authorization: Record<string, string> = config.SEARCH_API_KEY
      ? { authorization: `Bearer ${config.SEARCH_API_KEY}` }
      : {};
    await expectAnswer(`${ingress}/api/v1/webhooks/health`, 'the ingress');
    await untilIngressReady(ingress, timeoutMs);
    await expectAnswer(`${search}/api/v1/health`, 'the search service');

    const photoCache = join(repoRoot, 'data/photos');
    const products = await demoCatalogue(photoCache);
    const count = products.length;
    const folder = fileURLToPath(config.IMAGE_BASE_URL);
    for (const product of products) {
      await mkdir(join(folder, product.imageKey, '..'), { recursive: true });
      await writeFile(join(folder, product.imageKey), product.photo);
    }
    console.log(
      `1/4 wrote ${count} product photos (real photographs that ${SAMPLE_PHOTO_PACKAGE.name} ${SAMPLE_PHOTO_PACKAGE.version} ships) into ${join(folder, 'demo')}`,
    );

    for (const product of products) await sendWebhook(ingress, config.WEBHOOK_SECRET.split(',')[0] ?? '', product);
    console.log(`2/4 sent ${count} signed product.created webhooks to ${ingress} (each answered 200)`);

    const started = Date.now();
    const database = new pg.Client({ connectionString: config.DATABASE_URL });
    await database.connect();
    try {
      let last = '';
      await waitFor(
        async () => {
          const { rows } = await database.query<{ n: string }>(
            'select count(*) as n from products where product_id = any($1) and not deleted',
            [products.map((p) => p.id)],
          );
          const indexed = await countIndexed(search, authorization, products);
          const line = `3/4 PostgreSQL rows ${rows[0]?.n}/${count}, searchable vectors ${indexed}/${count}`;
          if (line !== last) console.log(`    ${line.slice(4)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
          last = line;
          return Number(rows[0]?.n) === count && indexed === count;
        },
        { description: 'every demo product in PostgreSQL and in the index', timeoutMs, intervalMs: 500 },
      ).catch((error: unknown) => {
        throw new DemoFailedError(
          "the products did not all arrive in time: check `npm run infra:status` and the services' /health (docs/OPERATIONS.md, Troubleshooting)",
          { cause: error },
        );
      });
    } finally {
      await database.end();
    }
    console.log(`3/4 all ${count} products are rows in PostgreSQL and searchable vectors`);

    console.log('4/4 searched by photo, as a shopper does on the search page:');
    const searchByPhoto = async (photo: Buffer): Promise<SearchAnswer> => {
      const response = await fetch(`${search}/api/v1/search?k=3`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg', ...authorization },
        body: new Uint8Array(photo),
      });
      if (!response.ok) throw new DemoFailedError(`the search answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as SearchAnswer;
    };
    for (const query of await demoSearches(photoCache)) {
      const { results, match_threshold: threshold } = await searchByPhoto(query.photo);
      const similar = results.filter((hit) => hit.similar);
      console.log(`    with ${query.what}:`);
      for (const [rank, hit] of results.entries())
        console.log(
          `      ${rank + 1}. ${hit.product_id}  ${hit.score.toFixed(3)}  ${hit.similar ? 'similar' : 'not similar'}  ${hit.title}`,
        );
      if (query.expected === undefined) {
        if (similar.length > 0) {
          throw new DemoFailedError(`${similar.length} products count as similar to ${query.what}; none should`);
        }
        console.log(`    ✓ nothing similar: every score is below the model's match threshold ${threshold}`);
      } else {
        if (similar[0]?.product_id !== query.expected) {
          throw new DemoFailedError(
            `the first similar product is ${similar[0]?.product_id ?? 'none'}, not ${query.expected}`,
          );
        }
        console.log(`    ✓ the first hit is ${query.expected}, the product in the photo`);
      }
    }
    console.log(`Try it yourself: ${search}/`);
    return 0;
  },
});

interface SearchAnswer {
  match_threshold: number;
  results: { product_id: string; score: number; similar: boolean; title: string }[];
}

async function expectAnswer(url: string, what: string): Promise<void> {
  if (!(await answersOk(url)))
    throw new DemoFailedError(`${what} does not answer at ${url}: start the pipeline first (npm start)`);
}

/**
 * An ingress that answers is not yet taking webhooks while it connects to Kafka and the schema
 * registry (on a first start it creates the topics too): it would answer them 503.
 */
async function untilIngressReady(ingress: string, timeoutMs: number): Promise<void> {
  const ready = `${ingress}/api/v1/ready`;
  if (await answersOk(ready)) return;
  console.log('    waiting for the ingress to connect to Kafka and the schema registry');
  await waitFor(() => answersOk(ready), { description: 'the ingress ready', timeoutMs, intervalMs: 250 }).catch(
    async (error: unknown) => {
      const report = await fetch(ready)
        .then((response) => response.text())
        .catch(() => 'no answer');
      throw new DemoFailedError(
        `the ingress is not ready for webhooks after ${timeoutMs / 1000} s (${ready}: ${report}): check \`npm run infra:status\` (docs/OPERATIONS.md, Troubleshooting)`,
        { cause: error },
      );
    },
  );
}

async function sendWebhook(ingress: string, secret: string, product: DemoProduct): Promise<void> {
  const body = JSON.stringify(product.event);
  const response = await fetch(`${ingress}/api/v1/webhooks/bakai`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-signature': WebhookSignature.sign(body, secret) },
    body,
  });
  if (response.status !== 200) {
    throw new DemoFailedError(`the ingress answered ${response.status} for ${product.id}: ${await response.text()}`);
  }
}

/** How many of the products the search service finds in the serving index (none before it serves one). */
async function countIndexed(
  search: string,
  headers: Record<string, string>,
  products: readonly DemoProduct[],
): Promise<number> {
  if (!(await answersOk(`${search}/api/v1/ready`))) return 0;
  const found = await Promise.all(
    products.map((product) =>
      answersOk(`${search}/api/v1/products/${encodeURIComponent(product.id)}/similar?k=1`, headers),
    ),
  );
  return found.filter(Boolean).length;
}

/** A GET that answers 2xx; a refused connection counts as no. */
async function answersOk(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  const response = await fetch(url, { headers }).catch(() => undefined);
  await response?.body?.cancel();
  return response?.ok === true;
}
