import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A process that logs one line with `format` on a pipe, as a service under systemd would. */
async function loggedLine(format: string): Promise<string> {
  const script = `
    import { createLogger } from '@vsp/platform';
    createLogger({ name: 'search', level: 'info', format: '${format}' }).info('GET /api/v1/search 200 14.2 ms');
  `;
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    '--conditions=development',
    '--input-type=module',
    '-e',
    script,
  ]);
  return stdout.trim();
}

test('a logger should write readable lines in text format, and JSON when asked or when its output is not a terminal', async () => {
  const text = await loggedLine('text');
  const json = await loggedLine('json');
  const auto = await loggedLine('auto');

  assert.match(text, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \| INFO \| \[search\] GET \/api\/v1\/search 200 14\.2 ms$/);
  assert.equal(JSON.parse(json).msg, 'GET /api/v1/search 200 14.2 ms');
  assert.equal(JSON.parse(auto).name, 'search', 'a pipe is not a terminal');
});
