import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { PIPELINE_SETTINGS } from './support/pipeline-settings.js';

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

test('docker-compose should describe the production-shaped stack: three Kafka brokers, replicated topics, three Qdrant nodes', () => {
  const kafka = ['kafka-1', 'kafka-2', 'kafka-3'];
  const qdrant = ['qdrant-1', 'qdrant-2', 'qdrant-3'];
  for (const name of [
    ...kafka,
    'schema-registry',
    'postgres',
    ...qdrant,
    'ingress',
    'persistence',
    'embedding',
    'search',
  ]) {
    assert.ok(compose.services[name], `service ${name} is missing`);
  }
  const ingress = compose.services.ingress?.environment ?? {};
  assert.equal(ingress.KAFKA_BROKERS, kafka.map((name) => `${name}:9092`).join(','));
  assert.equal(ingress.PRODUCT_EVENTS_REPLICATION, '3');
  assert.equal(ingress.PRODUCT_EVENTS_MIN_INSYNC_REPLICAS, '2');
  for (const service of ['embedding', 'search']) {
    assert.equal(
      compose.services[service]?.environment?.QDRANT_URL,
      qdrant.map((name) => `http://${name}:6333`).join(','),
      `${service} lists every Qdrant node`,
    );
  }
});
