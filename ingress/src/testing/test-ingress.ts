import type { AddressInfo } from 'node:net';
import { dlqTopicName } from '@vsp/schemas';
import { CONTRACT_EXAMPLE_BODY } from '@vsp/schemas/testing';
import {
  type CleanupContext,
  createKafka,
  deleteSubjectAfter,
  ensureInfra,
  onCleanup,
  uniqueName,
} from '@vsp/test-harness';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildIngress } from '../app.js';
import { type IngressConfig, loadIngressConfig } from '../config.js';
import { WebhookSignature } from '../webhook/signature.js';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export interface TestIngress {
  app: FastifyInstance;
  config: IngressConfig;
  url: string;
  /** The JSON log lines written so far (at LOG_LEVEL, silent unless overridden). */
  logs(): { level: number; msg: string }[];
  /** POSTs a body to the webhook, signed with `secret` unless a signature header is given. */
  post(body: string | Buffer, options?: { secret?: string; headers?: Record<string, string> }): Promise<Response>;
}

/**
 * A real ingress on a random loopback port, writing to a topic of its own on the real broker and
 * registry. Overrides are environment variables, as an operator would set them. Closed after the test.
 */
export async function startTestIngress(
  t: CleanupContext,
  overrides: Record<string, string> = {},
): Promise<TestIngress> {
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  const topic = uniqueName('product-events');
  const config = loadIngressConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    WEBHOOK_SECRET: TEST_SECRET,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    PRODUCT_EVENTS_TOPIC: topic,
    PRODUCT_EVENTS_PARTITIONS: '3',
    LOG_LEVEL: 'silent',
    LOG_DIR: '',
    ...overrides,
  });
  await deleteSubjectAfter(t, `${config.PRODUCT_EVENTS_TOPIC}-value`);
  const lines: string[] = [];
  const app = await buildIngress({
    config,
    logger: pino({ level: config.LOG_LEVEL }, { write: (line: string) => void lines.push(line) }),
    kafka: await createKafka({ clientId: 'test-ingress', brokers: config.KAFKA_BROKERS.split(',') }),
  });
  onCleanup(t, async () => {
    await app.close();
    const admin = (await createKafka({ brokers: config.KAFKA_BROKERS.split(',') })).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopicName(topic)] }).catch(() => {});
    await admin.disconnect();
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  await app.eventLog.ready();
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    config,
    url,
    logs: () => lines.map((line) => JSON.parse(line)),
    post: (body, { secret = TEST_SECRET, headers = {} } = {}) =>
      fetch(`${url}/api/v1/webhooks/bakai`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-webhook-signature': WebhookSignature.sign(body, secret),
          ...headers,
        },
        body,
      }),
  };
}

/**
 * The environment of an ingress under test: loopback, the test secret, the real infrastructure,
 * a topic of its own. For an in-process ingress (startTestIngress) or a child process.
 */
export async function testIngressEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const { kafkaBrokers, schemaRegistryUrl } = await ensureInfra();
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    WEBHOOK_SECRET: TEST_SECRET,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    PRODUCT_EVENTS_TOPIC: uniqueName('product-events'),
    PRODUCT_EVENTS_PARTITIONS: '3',
    LOG_DIR: '',
    ...overrides,
  };
}

let sequence = 0;

/** A contract-shaped webhook body: the contract's example, `data` fields overriding its own. */
export function webhookBody(
  eventType = 'product.created',
  data: Record<string, unknown> = {},
  { eventId = `evt_${Date.now()}_${++sequence}`, timestamp = '2025-11-12T10:00:00Z' } = {},
): Record<string, unknown> {
  return {
    event_type: eventType,
    event_id: eventId,
    timestamp,
    data: { ...CONTRACT_EXAMPLE_BODY.data, ...data },
  };
}
