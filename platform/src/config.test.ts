import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';

const Schema = Type.Object({
  PORT: Type.Integer({ default: 8008, minimum: 1, maximum: 65535 }),
  WEBHOOK_SECRET: Type.String({ minLength: 1 }),
  PRODUCER_LINGER_MS: Type.Number({ default: 2 }),
});

function dotenv(contents: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'config-test-')), '.env');
  writeFileSync(path, contents);
  return path;
}

test('config should coerce strings, fill defaults and return a frozen object', () => {
  const config = loadConfig(Schema, { env: { PORT: '9000', WEBHOOK_SECRET: 's', PATH: '/bin' } });

  assert.deepEqual(config, { PORT: 9000, WEBHOOK_SECRET: 's', PRODUCER_LINGER_MS: 2 });
  assert.ok(Object.isFrozen(config));
});

test('config should report every problem at once', () => {
  assert.throws(
    () => loadConfig(Schema, { env: { PORT: 'eighty', PRODUCER_LINGER_MS: 'soon' } }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, ConfigError.code);
      assert.equal(error.problems.length, 3, error.message);
      for (const key of ['PORT', 'PRODUCER_LINGER_MS', 'WEBHOOK_SECRET']) assert.match(error.message, new RegExp(key));
      return true;
    },
  );
});

test('config should let the environment win over the .env file', () => {
  const path = dotenv('WEBHOOK_SECRET=from-file\nPORT=7000\n');

  const config = loadConfig(Schema, { env: { PORT: '9000' }, dotenvPath: path });

  assert.equal(config.PORT, 9000);
  assert.equal(config.WEBHOOK_SECRET, 'from-file');
});

test('config should refuse a .env file key that no process of the pipeline knows', () => {
  const path = dotenv('WEBHOOK_SECRET=x\nDATABASE_URL=postgres://elsewhere\nWEBHOOK_SECERT=typo\n');

  assert.throws(() => loadConfig(Schema, { env: {}, dotenvPath: path }), {
    name: 'ConfigError',
    message: /unknown setting WEBHOOK_SECERT/,
  });
});
