import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createOwnInfra, freePortRange } from '@vsp/test-harness';

test('infra should format and start Kafka under a cluster id that begins with a dash, as one in 64 random ids does', async (t) => {
  const { infra, home } = createOwnInfra(t, { INFRA_KAFKA_PORT: String(await freePortRange(2)) });
  mkdirSync(join(home, 'data'), { recursive: true });
  writeFileSync(join(home, 'data', 'kafka-cluster-id'), '-TYPUJF3Q5qiPRGJXhv7KA');

  await infra.kafka.up();
});
