import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { PIPELINE_PROCESSES } from '@vsp/infra';
import { parse } from 'yaml';
import { repoRoot } from './support/service-process.js';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

test('the shipped nginx config should pass nginx -t before any certificate exists, so certbot --nginx can run', async (t) => {
  const prefix = mkdtempSync(join(tmpdir(), 'nginx-'));
  t.after(() => rmSync(prefix, { recursive: true, force: true }));
  const main = join(prefix, 'nginx.conf');
  writeFileSync(
    main,
    `error_log stderr;\npid ${prefix}/nginx.pid;\nevents {}\nhttp { include ${join(repoRoot, 'infra/deploy/nginx/visual-search.conf')}; }\n`,
  );

  const checked = await promisify(execFile)('nginx', ['-t', '-p', prefix, '-c', main]).catch(
    (error: NodeJS.ErrnoException & { stderr?: string }) => {
      if (error.code === 'ENOENT')
        throw new Error('nginx is not installed: apt-get install nginx-light (.ci/run does)');
      return { stderr: error.stderr ?? String(error) };
    },
  );

  assert.match(checked.stderr, /test is successful/);
});

test('Docker, compose and the systemd units should start the compiled services, and production should not depend on tsx', () => {
  const starts = [
    ...[...read('docker-compose.yml').matchAll(/command: \["node", (?:"(--[^"]+)", )?"([^"]+)"\]/g)],
    ...[...read('infra/docker/Dockerfile').matchAll(/CMD \["node", (?:"(--[^"]+)", )?"([^"]+)"\]/g)],
    ...readdirSync(join(repoRoot, 'infra/deploy/systemd')).flatMap((unit) => [
      ...read(`infra/deploy/systemd/${unit}`).matchAll(/^ExecStart=\/usr\/bin\/node (?:(--\S+) )?(\S+)$/gm),
    ]),
  ].map(([, option, entry]) => ({ option, entry: entry as string }));
  const entries = starts.map((start) => start.entry);
  const services = Object.values(parse(read('docker-compose.yml')).services as Record<string, { build?: unknown }>);

  assert.equal(entries.length, services.filter((s) => s.build).length + 1 + 4, entries.join('\n'));
  for (const { option, entry } of starts) {
    const npmStart = PIPELINE_PROCESSES.find((spec) => spec.entry === entry);
    assert.deepEqual(
      option ? [option] : [],
      [...(npmStart?.nodeArgs ?? [])],
      `${entry}: the node options npm start uses`,
    );
    assert.match(entry, /^\w+\/dist\/.+\.js$/);
    assert.ok(existsSync(join(repoRoot, entry)), `${entry} exists after npm run build`);
  }
  for (const folder of ['.', ...(JSON.parse(read('package.json')).workspaces as string[])]) {
    const { dependencies = {} } = JSON.parse(read(`${folder}/package.json`)) as { dependencies?: object };
    assert.ok(!('tsx' in dependencies), `${folder} has tsx among its production dependencies`);
  }
});
