import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalInfra, loadInfraConfig } from '@vsp/infra';
import { freePortRange, onCleanup } from '@vsp/test-harness';

test('infra should format and start Kafka under a cluster id that begins with a dash, as one in 64 random ids does', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'kafka-cluster-id-'));
  mkdirSync(join(home, 'data'), { recursive: true });
  writeFileSync(join(home, 'data', 'kafka-cluster-id'), '-TYPUJF3Q5qiPRGJXhv7KA');
  const infra = new LocalInfra(
    loadInfraConfig({
      INFRA_HOME: home,
      INFRA_CACHE_DIR: loadInfraConfig().INFRA_CACHE_DIR,
      INFRA_KAFKA_PORT: String(await freePortRange(2)),
    }),
  );
  onCleanup(t, async () => {
    await infra.down();
    rmSync(home, { recursive: true, force: true });
  });

  await infra.kafka.up();
});
