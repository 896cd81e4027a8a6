import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DailyLogFile } from './daily-log-file.js';

test('daily log should write a message with line breaks from request data as one escaped line, naming the service', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  const file = new DailyLogFile(dir);
  const forged = 'evt_1)\n2025-11-12 10:00:00 | INFO | Product created successfully: 666\r\u0000';

  file.write(
    JSON.stringify({
      time: Date.now(),
      level: 30,
      name: 'ingress',
      msg: `Webhook received: product.created (event_id: ${forged})`,
    }),
  );
  file.end();
  // 'finish' comes after the file itself has closed (see _final).
  await once(file, 'finish');

  const [name] = readdirSync(dir);
  const lines = readFileSync(join(dir, name as string), 'utf8')
    .split('\n')
    .filter(Boolean);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0] as string,
    /\| INFO \| \[ingress\] Webhook received: product\.created \(event_id: evt_1\)\\n2025-11-12 .*666\\r\\u0000\)$/,
  );
});
