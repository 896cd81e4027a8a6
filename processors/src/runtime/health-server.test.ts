import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onCleanup } from '@vsp/test-harness';
import { HealthServer } from './health-server.js';
import { ProcessorMetrics } from './processor-metrics.js';

test('a processor’s health server should answer an unknown path with 404 in the services’ error shape, naming its routes', async (t) => {
  const server = new HealthServer(new ProcessorMetrics('health_test_'), () => ({ status: 'ok', problems: [] }));
  onCleanup(t, () => server.close());
  const port = await server.listen(0, '127.0.0.1');

  const response = await fetch(`http://127.0.0.1:${port}/healthz?x=1`);

  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), {
    code: 'NOT_FOUND',
    message: 'no route GET /healthz: GET /health, /live or /metrics',
  });
});
