import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { documentedSettings, repoRoot } from '@vsp/platform';
import { DOC_FILES, readDoc as read } from './support/doc-files.js';
import { PIPELINE_SETTINGS } from './support/pipeline-settings.js';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');

test('docs/CONFIGURATION.md should list every setting a process of the pipeline reads, and no other', () => {
  const documented = documentedSettings() ?? new Set<string>();

  assert.deepEqual(
    [...PIPELINE_SETTINGS].filter((name) => !documented.has(name)),
    [],
    'read but not documented',
  );
  assert.deepEqual(
    [...documented].filter((name) => !PIPELINE_SETTINGS.has(name)),
    [],
    'documented but read by none',
  );
});

test('the README should stay the newcomer’s page, under 200 lines', () => {
  assert.ok(read('README.md').split('\n').length < 200);
});

test('every relative link in the docs should reach a file, and a heading in it when it names one', () => {
  const broken: string[] = [];
  for (const file of DOC_FILES) {
    for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target as string)) continue;
      const [path, anchor] = (target as string).split('#');
      const linked = path ? join(dirname(file), path) : file;
      if (!existsSync(join(repoRoot, linked))) {
        broken.push(`${file}: ${target} (no ${relative('.', linked)})`);
        continue;
      }
      if (anchor && linked.endsWith('.md')) {
        const headings = [...read(linked).matchAll(/^#+ (.+)$/gm)].map(([, heading]) => anchorOf(heading as string));
        if (!headings.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`);
      }
    }
  }

  assert.deepEqual(broken, []);
});
