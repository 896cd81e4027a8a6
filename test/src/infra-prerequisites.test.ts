import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalInfra, loadInfraConfig } from '@vsp/infra';
import { freePort, freePortPair, freePortRange, onCleanup } from '@vsp/test-harness';

test('infra should report a missing Qdrant server binary before it fetches or starts anything', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'infra-prerequisites-'));
  onCleanup(t, () => rmSync(home, { recursive: true, force: true }));
  const infra = new LocalInfra(
    loadInfraConfig({
      INFRA_HOME: home,
      QDRANT_BIN: join(home, 'no-such-qdrant'),
      INFRA_KAFKA_PORT: String(await freePortRange(2)),
      INFRA_REGISTRY_PORT: String(await freePort()),
      INFRA_POSTGRES_PORT: String(await freePort()),
      INFRA_QDRANT_PORT: String(await freePortPair()),
    }),
  );
  onCleanup(t, () => infra.down());

  await assert.rejects(infra.up(), {
    code: 'INFRA_TOOL_MISSING',
    message: /the Qdrant server \(QDRANT_BIN=.*no-such-qdrant\) was not found/,
  });

  assert.ok(!existsSync(join(home, 'cache')), 'nothing was downloaded into the empty cache');
  assert.deepEqual(existsSync(join(home, 'run')) ? readdirSync(join(home, 'run')) : [], [], 'nothing was started');
});
