import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '@vsp/platform';
import { startPipeline } from './support/pipeline-process.js';

const MONITORING = ['infra/monitoring/grafana-dashboard.json', 'infra/monitoring/prometheus-alerts.yml'];

/** The metric names a dashboard or rule file queries; a histogram's series name its metric. */
function metricsNamedIn(file: string): Set<string> {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  return new Set(
    [...text.matchAll(/\bvisual_search_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|sum|count)$/, '')),
  );
}

test('the Grafana dashboard and the Prometheus alerts should query only metrics the running services export', async (t) => {
  const pipeline = await startPipeline(t);
  const endpoints = [
    `http://127.0.0.1:${pipeline.ports.ingress}/api/v1/metrics`,
    `http://127.0.0.1:${pipeline.ports.persistence}/metrics`,
    `http://127.0.0.1:${pipeline.ports.embedding}/metrics`,
    `http://127.0.0.1:${pipeline.ports.search}/api/v1/metrics`,
  ];
  const exported = new Set<string>();
  for (const url of endpoints) {
    const text = await (await fetch(url)).text();
    for (const [, name] of text.matchAll(/^# TYPE (\S+) /gm)) exported.add(name as string);
  }
  JSON.parse(readFileSync(join(repoRoot, MONITORING[0] as string), 'utf8'));

  for (const file of MONITORING) {
    const named = metricsNamedIn(file);
    assert.ok(named.size >= 8, `${file} names ${named.size} metrics`);
    assert.deepEqual(
      [...named].filter((name) => !exported.has(name)),
      [],
      `${file} names metrics no service exports`,
    );
  }
});
