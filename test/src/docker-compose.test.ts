import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PIPELINE_SETTINGS } from '@vsp/platform';
import { parse } from 'yaml';

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, { build?: unknown; environment?: Record<string, unknown> }>;
};

test('docker-compose should set only environment names our services read', () => {
  const ours = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

  assert.ok(ours.length > 0);
  for (const [name, service] of ours) {
    for (const key of Object.keys(service.environment ?? {})) {
      assert.ok(PIPELINE_SETTINGS.has(key), `${name} sets ${key}, which no process of the pipeline reads`);
    }
  }
});

test('docker-compose should describe the production-shaped stack', () => {
  for (const name of ['kafka', 'schema-registry', 'postgres', 'qdrant', 'ingress', 'persistence', 'embedding']) {
    assert.ok(compose.services[name], `service ${name} is missing`);
  }
});
