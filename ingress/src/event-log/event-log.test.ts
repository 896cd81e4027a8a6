import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKafkaClient } from '@vsp/platform';
import { freePort, waitFor } from '@vsp/test-harness';
import pino from 'pino';
import { eventLogSettingsOf, loadIngressConfig } from '../config.js';
import { testIngressEnv } from '../testing/index.js';
import { EventLog } from './event-log.js';

test('event log closed during start-up should stop its connect loop and answer unavailable', async () => {
  const nobody = `127.0.0.1:${await freePort()}`;
  const config = loadIngressConfig(await testIngressEnv({ KAFKA_BROKERS: nobody }));
  const retries: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void retries.push(line) });
  const eventLog = new EventLog({
    settings: eventLogSettingsOf(config),
    kafka: createKafkaClient({ clientId: 't', brokers: nobody, logger }),
    logger,
    onFatal: (error) => assert.fail(error),
  });

  eventLog.start();
  await waitFor(() => retries.some((line) => line.includes('Event log not reachable yet')), {
    description: 'a failed connect attempt',
  });
  await eventLog.close();
  await eventLog.ready();
  const afterClose = retries.length;
  await eventLog.close();

  assert.equal(retries.length, afterClose, 'no attempt after close');
  await assert.rejects(eventLog.publish({} as never, {}), { code: 'EVENT_LOG_UNAVAILABLE' });
});
