import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TEST_SECRET, webhookBody } from '@vsp/ingress/testing';
import { type CleanupContext, createKafka, onCleanup, productImage, uniqueName, waitFor } from '@vsp/test-harness';
import { EFFICIENTNET_LITE0_MODEL } from '@vsp/vector-index';
import { DOC_FILES, type DocCommand, shellBlocks, withoutComment } from './support/doc-files.js';
import { type PipelineProcess, startPipeline } from './support/pipeline-process.js';
import { handledEvents, repoRoot, runToEnd } from './support/service-process.js';
import { postWebhook } from './support/signed-webhook.js';

/** What the docs show but this test does not run: why, and which test runs it instead. */
const NOT_RUN = new Map([
  [
    'npm ci && npm start',
    'reinstalls the checkout under test: CI runs npm ci, pipeline-supervision.test.ts runs npm start',
  ],
  [
    'npm start',
    'pipeline-supervision.test.ts runs npm start through npm; here the same launcher runs on ports of its own',
  ],
  ['npm test', 'this test runs inside it'],
  ['docker compose up -d', 'no Docker engine on this machine: docker-compose.test.ts checks the compose file'],
  [
    'npm run rebuild -- --to qdrant',
    'would write the shared Qdrant under the docs’ alias: index-store-move.test.ts moves an index of its own between the stores',
  ],
]);

/** A command that runs until Ctrl-C. */
const isFollower = (command: DocCommand) => /\s--follow\b/.test(command.text);

/** The products the examples talk about: 12345 (shoes at 1,500 KGS) among 29 others. */
const PRODUCTS = Array.from({ length: 30 }, (_, i) => ({
  product_id: i === 0 ? '12345' : `p${i}`,
  title: `Товар ${i}`,
  category: ['Обувь', 'Электроника', 'Одежда'][i % 3],
  price: i === 0 ? 1500 : 500 + 300 * i,
  image_key: `${i === 0 ? '12345' : `p${i}`}/main.jpg`,
}));

interface Ran {
  command: DocCommand;
  code: number | null;
  stdout: string;
  stderr: string;
}

test('every shell example in the README and the docs should run as written against a running pipeline, piped output clean', async (t) => {
  const folder = join(repoRoot, 'test-output', uniqueName('doc-examples'));
  mkdirSync(join(folder, 'bin'), { recursive: true });
  onCleanup(t, () => rmSync(folder, { recursive: true, force: true }));
  const pipeline = await startPipeline(t, {
    MODEL: EFFICIENTNET_LITE0_MODEL.id,
    VECTOR_ALIAS: 'products',
    IMAGE_BASE_URL: pathToFileURL(join(folder, 'images/')).href,
  });
  await sendCatalogue(pipeline, folder);
  await expectRecordsOnEveryPartition(pipeline.env.PRODUCT_EVENTS_TOPIC as string, 5);

  // The folder holds what the examples expect beside them: the .env with the secret, a photo of 12345.
  writeFileSync(join(folder, '.env'), `WEBHOOK_SECRET=${TEST_SECRET}\n`);
  writeFileSync(join(folder, 'photo.jpg'), await productImage(0));
  // curl answers 4xx and 5xx with exit code 22 here, so an answer the docs did not mean fails its block.
  writeFileSync(
    join(folder, 'bin', 'curl'),
    '#!/bin/sh\nexec /usr/bin/curl --fail-with-body --silent --show-error "$@"\n',
  );
  chmodSync(join(folder, 'bin', 'curl'), 0o755);
  const idleGroup = uniqueName('replayed-persistence');
  onCleanup(t, () => deleteGroup(idleGroup));
  // The docs name the default ports and groups; the test pipeline has its own, and its persistence
  // group is running, so the replay examples move a group of the same topic with no members.
  const asTyped = (text: string) =>
    text
      .replaceAll('localhost:8008', `localhost:${pipeline.ports.ingress}`)
      .replaceAll('localhost:8010', `localhost:${pipeline.ports.search}`)
      .replaceAll('visual-search-persistence', idleGroup);
  const shell = { cwd: folder, env: { ...process.env, ...pipeline.env, PATH: `${folder}/bin:${process.env.PATH}` } };

  const ran: Ran[] = [];
  const skipped = new Set<string>();
  for (const file of DOC_FILES) {
    for (const block of shellBlocks(file)) {
      const commands = block.filter((command) => {
        const reason = NOT_RUN.get(withoutComment(command.text));
        if (reason) skipped.add(withoutComment(command.text));
        return !reason && !isFollower(command);
      });
      if (commands.length > 0) ran.push(await runScript(commands, asTyped, shell));
      for (const follower of block.filter(isFollower)) {
        ran.push(await runFollower(t, follower, asTyped(follower.text), shell, pipeline));
      }
    }
  }

  t.diagnostic(
    `${ran.length} scripts run; not run: ${[...NOT_RUN].map(([command, why]) => `${command} (${why})`).join('; ')}`,
  );
  assert.deepEqual(
    [...NOT_RUN.keys()].filter((command) => !skipped.has(command)),
    [],
    'the docs still show them',
  );
  // Exit 0, no npm banner in what a pipe receives, nothing on stderr that reads as a failure.
  const failed = ran.filter(
    ({ code, stdout, stderr }) => code !== 0 || /^> |npm error/m.test(stdout) || /error|was left/i.test(stderr),
  );
  assert.deepEqual(
    failed.map(({ command, code, stdout, stderr }) => ({
      at: `${command.file}:${command.line}`,
      code,
      stdout: stdout.slice(-600),
      stderr: stderr.slice(-1200),
    })),
    [],
  );
});

/** Every product of PRODUCTS with its photo, p1 deleted, and one whose photo is missing (a dead letter). */
async function sendCatalogue(pipeline: PipelineProcess, folder: string): Promise<void> {
  const images = join(folder, 'images');
  const ingress = `http://127.0.0.1:${pipeline.ports.ingress}`;
  const webhooks = [
    ...PRODUCTS.map((product) => webhookBody('product.created', product)),
    webhookBody('product.deleted', { product_id: 'p1' }, { timestamp: '2025-11-13T10:00:00Z' }),
    webhookBody('product.created', { product_id: 'p-missing', image_key: 'p-missing/main.jpg' }),
  ];
  for (const [i, product] of PRODUCTS.entries()) {
    const photo = await productImage(i);
    for (const key of [product.image_key, ...(i === 0 ? ['12345/test.jpg'] : [])]) {
      mkdirSync(dirname(join(images, key)), { recursive: true });
      writeFileSync(join(images, key), photo);
    }
  }
  for (const webhook of webhooks) assert.equal((await postWebhook(ingress, webhook)).status, 200);
  await waitFor(
    async () =>
      (await handledEvents(pipeline.ports.persistence)) >= webhooks.length &&
      (await handledEvents(pipeline.ports.embedding)) >= webhooks.length,
    { description: 'both processors to handle the catalogue', timeoutMs: 120_000 },
  );
}

/** The replay example names offsets up to 5: the log must reach them. */
async function expectRecordsOnEveryPartition(topic: string, records: number): Promise<void> {
  const admin = (await createKafka()).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    assert.ok(
      offsets.every(({ high }) => Number(high) >= records),
      `every partition has ${records} records: ${JSON.stringify(offsets)}`,
    );
  } finally {
    await admin.disconnect();
  }
}

async function deleteGroup(group: string): Promise<void> {
  const admin = (await createKafka()).admin();
  await admin.connect();
  await admin.deleteGroups([group]).catch(() => {});
  await admin.disconnect();
}

type Shell = { cwd: string; env: NodeJS.ProcessEnv };

/** A block's commands as one bash script, as pasted into a terminal, stopping at the first failure. */
async function runScript(commands: DocCommand[], asTyped: (text: string) => string, shell: Shell): Promise<Ran> {
  const script = `set -euo pipefail\ntrap 'echo "failed: $BASH_COMMAND" >&2' ERR\n${commands.map((c) => asTyped(c.text)).join('\n')}`;
  return {
    command: commands[0] as DocCommand,
    ...(await runToEnd('bash', ['-c', script], { ...shell, timeoutMs: 600_000 })),
  };
}

/**
 * A command that follows the log, typed in a terminal: `script` gives it one, so that jq prints each
 * line as it comes, as it does for a user. Once it says it listens, a price change is sent; it must
 * print it, then stop on Ctrl-C (the terminal's interrupt character).
 */
async function runFollower(
  t: CleanupContext,
  command: DocCommand,
  text: string,
  shell: Shell,
  pipeline: PipelineProcess,
): Promise<Ran> {
  const terminal = spawn(
    'script',
    ['--quiet', '--flush', '--return', '--command', `set -o pipefail; ${text}`, '/dev/null'],
    {
      ...shell,
      env: { ...shell.env, SHELL: '/bin/bash' },
    },
  );
  onCleanup(t, () => {
    if (terminal.exitCode === null && terminal.signalCode === null) terminal.kill('SIGKILL');
  });
  let output = '';
  terminal.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  terminal.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const price = `${4000 + command.line}.5`;
  try {
    await waitFor(() => output.includes('following'), { description: `${text} to listen`, timeoutMs: 30_000 });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await postWebhook(
      `http://127.0.0.1:${pipeline.ports.ingress}`,
      webhookBody('product.updated', { price: Number(price) }, { timestamp: now }),
    );
    await waitFor(() => output.includes(price), { description: `${text} to print the new price`, timeoutMs: 30_000 });
    terminal.stdin?.write('\x03');
    await waitFor(() => terminal.exitCode !== null || terminal.signalCode !== null, {
      description: `${text} to stop on Ctrl-C`,
      timeoutMs: 10_000,
    });
    return { command, code: 0, stdout: output, stderr: '' };
  } catch (error) {
    return { command, code: null, stdout: output, stderr: (error as Error).message };
  }
}
