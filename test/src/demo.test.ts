import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { onCleanup } from '@vsp/test-harness';
import { startPipeline } from './support/pipeline-process.js';
import { runEntry } from './support/service-process.js';

const WARN_OR_WORSE = /"level":(4|5|6)0|\| (WARNING|ERROR|CRITICAL) \|/;

test('npm run demo after a first npm start should lead to rows, searchable vectors and a search hit, with no WARN or ERROR logged and no service restarted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-'));
  onCleanup(t, () => rmSync(dir, { recursive: true, force: true }));
  const images = join(dir, 'images');
  const logs = join(dir, 'logs');
  const pipeline = await startPipeline(
    t,
    { IMAGE_BASE_URL: pathToFileURL(`${images}/`).href, LOG_LEVEL: 'info', LOG_DIR: logs },
    { firstStart: true },
  );

  const demo = await runEntry('demo/src/demo-cli.ts', ['--products', '8'], pipeline.env);
  const again = await runEntry('demo/src/demo-cli.ts', ['--products', '8'], pipeline.env);
  const photo = await fetch(`http://127.0.0.1:${pipeline.ports.search}/images/demo/demo-003.jpg`);
  pipeline.launcher.kill('SIGTERM');
  const [code] = await once(pipeline.launcher, 'exit');

  assert.equal(demo.code, 0, `${demo.stdout}\n${demo.stderr}`);
  assert.match(demo.stdout, /3\/4 all 8 products are rows in PostgreSQL and searchable vectors/);
  assert.match(demo.stdout, /1\. demo-001 {2}0\.9\d+/);
  assert.match(demo.stdout, /✓ the top hit is the product the photo belongs to/);
  assert.equal(again.code, 0, 'a second run finds the same products again');
  assert.equal(readdirSync(join(images, 'demo')).length, 8);
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
