import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureInfra, freePort } from '@vsp/test-harness';
import { repoRoot, runEntry, runToEnd } from './support/service-process.js';

/** Every command a user runs through npm, by entry point, with its arguments before `--help`. */
const COMMANDS: { npm: string; entry: string; args: string[] }[] = [
  { npm: 'infra:up', entry: 'infra/src/cli.ts', args: ['up'] },
  { npm: 'start', entry: 'infra/src/cli.ts', args: ['start'] },
  { npm: 'kafka', entry: 'infra/src/cli.ts', args: ['kafka'] },
  { npm: 'index', entry: 'processors/src/embedding/index-cli.ts', args: [] },
  { npm: 'dlq', entry: 'processors/src/dead-letters/dlq-cli.ts', args: [] },
  { npm: 'rebuild', entry: 'processors/src/embedding/rebuild-cli.ts', args: [] },
  { npm: 'replay', entry: 'processors/src/replay/replay-cli.ts', args: [] },
  { npm: 'db:migrate', entry: 'processors/src/persistence/migrate-cli.ts', args: [] },
  { npm: 'schema', entry: 'schemas/src/schema-cli.ts', args: [] },
  { npm: 'tap', entry: 'tap/src/tap-cli.ts', args: [] },
  { npm: 'webhook:test', entry: 'ingress/src/webhook-check-cli.ts', args: [] },
  { npm: 'demo', entry: 'demo/src/demo-cli.ts', args: [] },
  { npm: 'bench', entry: 'test/bench/run.ts', args: [] },
];

const STACK_FRAME = /^\s+at /m;

const rootScripts = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

// What a user types goes through npm: a script that handed its arguments to another npm would
// print npm's own help.
for (const { npm } of COMMANDS.filter(({ npm, entry }) => rootScripts[npm]?.includes(` ${entry}`))) {
  test(`npm run ${npm} -- --help, typed as a user types it, should reach the command`, async () => {
    const { stdout, code } = await runToEnd('npm', ['run', '--silent', npm, '--', '--help']);

    assert.equal(code, 0);
    assert.match(stdout, /^usage: /);
  });
}

for (const { npm, entry, args } of COMMANDS) {
  test(`npm run ${npm} should answer --help with its usage and a wrong option with one line and exit code 2`, async () => {
    const help = await runEntry(entry, [...args, '--help'], {});
    const wrong = await runEntry(entry, [...args, '--no-such-option'], {});

    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^usage: /);
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /Unknown option '--no-such-option'/);
    assert.doesNotMatch(wrong.stderr, STACK_FRAME);
    assert.ok(wrong.stderr.trim().split('\n').length <= 2, wrong.stderr);
  });
}

test('a command that fails should print one line and its cause, exit 1, and show the stack only with --verbose', async () => {
  const closed = `http://127.0.0.1:${await freePort()}/apis/ccompat/v7`;

  const plain = await runEntry('schemas/src/schema-cli.ts', ['show'], { SCHEMA_REGISTRY_URL: closed });
  const verbose = await runEntry('schemas/src/schema-cli.ts', ['show', '--verbose'], { SCHEMA_REGISTRY_URL: closed });
  const unknownCommand = await runEntry('infra/src/cli.ts', ['frobnicate'], {});

  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /^schema: .+\n {2}cause: .*ECONNREFUSED/);
  assert.doesNotMatch(plain.stderr, STACK_FRAME);
  assert.equal(verbose.code, 1);
  assert.match(verbose.stderr, STACK_FRAME);
  assert.equal(unknownCommand.code, 2);
  assert.match(unknownCommand.stderr, /^infra:frobnicate: unknown command frobnicate/);
});

test('a file argument typed in a subfolder should be read from there, through npm as a user types it', async () => {
  const { schemaRegistryUrl } = await ensureInfra();
  const check = await runToEnd(
    'npm',
    ['run', 'schema', '--', 'check', '--file', '../schemas/avro/product-event.avsc'],
    {
      cwd: join(repoRoot, 'docs'),
      env: { SCHEMA_REGISTRY_URL: schemaRegistryUrl, PRODUCT_EVENTS_TOPIC: 'command-line-relative-path' },
    },
  );

  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /nothing registered yet|compatible/);
});
