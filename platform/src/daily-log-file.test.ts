import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { DailyLogFile } from './daily-log-file.js';

test('daily log should write a message with line breaks from request data as one escaped line, naming the service', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  const file = new DailyLogFile(dir, 'ingress');
  const logger = pino({ name: 'ingress' }, pino.multistream([{ stream: file }]));
  const forged = 'evt_1)\n2025-11-12 10:00:00 | INFO | Product created successfully: 666\r\u0000';

  logger.info(`Webhook received: product.created (event_id: ${forged})`);
  logger.error({ err: new Error('Kafka is unavailable') }, 'Failed to process webhook: evt_2');
  await file.end();

  const [name] = readdirSync(dir);
  const lines = readFileSync(join(dir, name as string), 'utf8')
    .split('\n')
    .filter(Boolean);
  assert.equal(lines.length, 2);
  assert.match(
    lines[0] as string,
    /\| INFO \| \[ingress\] Webhook received: product\.created \(event_id: evt_1\)\\n2025-11-12 .*666\\r\\u0000\)$/,
  );
  assert.match(
    lines[1] as string,
    /\| ERROR \| \[ingress\] Failed to process webhook: evt_2 \(Kafka is unavailable\)$/,
  );
});
