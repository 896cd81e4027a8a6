import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PIPELINE_SETTINGS } from '@vsp/platform';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('README should document every setting a process of the pipeline reads', () => {
  const missing = [...PIPELINE_SETTINGS].filter((name) => !readme.includes(`\`${name}\``));

  assert.deepEqual(missing, []);
});
