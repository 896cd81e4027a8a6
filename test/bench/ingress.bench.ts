import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebhookSignature } from '@vsp/ingress';
import { TEST_SECRET, testIngressEnv, webhookBody } from '@vsp/ingress/testing';
import { ProductEventCodec, toProductEvent } from '@vsp/schemas';
import { createKafka, ensureInfra, freePort, uniqueName, waitFor } from '@vsp/test-harness';
import autocannon from 'autocannon';
import { Partitioners } from 'kafkajs';
import { FROM_SOURCE } from '../src/support/service-process.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface IngressBenchOptions {
  durationSeconds: number;
  connections: number;
}

const PRODUCTS = 5_000;
const CATEGORIES = ['Электроника', 'Одежда', 'Дом и сад', 'Спорт', 'Авто'];

/** Varied, signed webhooks as BakaiMarket would send them: all four types, Cyrillic text, real prices. */
function signedBodies(count: number): { body: string; signature: string }[] {
  const types = ['product.created', 'product.updated', 'product.image.updated', 'product.deleted'];
  return Array.from({ length: count }, (_, i) => {
    const productId = String(100_000 + (i % PRODUCTS));
    const body = JSON.stringify(
      webhookBody(types[i % types.length], {
        product_id: productId,
        title: `Товар №${productId}`,
        category: CATEGORIES[i % CATEGORIES.length],
        price: Math.round((100 + ((i * 7919) % 250_000)) * 100) / 100,
        image_key: `${productId}/main_${i % 3}.jpg`,
      }),
    );
    return { body, signature: WebhookSignature.sign(body, TEST_SECRET) };
  });
}

/**
 * The ceiling: the same records, encoded the same way, sent by one raw kafkajs idempotent producer
 * in batches of 1,000 with acks=all. What Kafka and kafkajs can take on this machine right now.
 */
async function rawProducerCeiling(bodies: { body: string }[], registryUrl: string, seconds: number): Promise<number> {
  const topic = uniqueName('bench-ceiling');
  const kafka = await createKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 12 }], waitForLeaders: true });
  const codec = await ProductEventCodec.register({ registryUrl, subject: `${topic}-value` });
  const messages = bodies.map(({ body }) => {
    const event = toProductEvent(JSON.parse(body), Buffer.from(body), Date.now(), {
      maxSkewMs: 300_000,
      earliest: 0,
    });
    return {
      key: event.data.product_id,
      value: codec.encode(event),
      headers: { event_type: event.event_type, event_id: event.event_id },
    };
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let sent = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    const batch = messages.slice(sent % messages.length, (sent % messages.length) + 1_000);
    await producer.send({ topic, acks: -1, messages: batch });
    sent += batch.length;
  }
  const rate = sent / ((performance.now() - started) / 1000);
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  return rate;
}

export async function runIngressBench({ durationSeconds, connections }: IngressBenchOptions): Promise<void> {
  const { schemaRegistryUrl } = await ensureInfra();
  const bodies = signedBodies(20_000);
  console.log(
    `ingress benchmark: ${connections} connections over loopback, ${durationSeconds} s per run, acks=all, idempotent producer`,
  );

  const ceiling = await rawProducerCeiling(bodies, schemaRegistryUrl, Math.min(durationSeconds, 10));
  console.log(`  raw kafkajs batched producer (ceiling): ${ceiling.toFixed(0)} records/s`);

  const port = await freePort();
  const env = await testIngressEnv({
    PORT: String(port),
    PRODUCT_EVENTS_PARTITIONS: '12',
    // The seed's daily log file is part of the cost of a webhook, so it stays on.
    LOG_DIR: mkdtempSync(join(tmpdir(), 'ingress-bench-logs-')),
  });
  const topic = String(env.PRODUCT_EVENTS_TOPIC);
  const child = spawn(process.execPath, [...FROM_SOURCE, 'ingress/src/main.ts'], {
    cwd: repoRoot,
    stdio: 'ignore',
    env: { ...process.env, ...env },
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/api/v1/ready`)).ok, {
      description: 'the ingress',
      timeoutMs: 60_000,
    });
    let next = 0;
    const result = await autocannon({
      url: `${url}/api/v1/webhooks/bakai`,
      connections,
      duration: durationSeconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const { body, signature } = bodies[next++ % bodies.length] as { body: string; signature: string };
            return {
              ...request,
              body,
              headers: { 'content-type': 'application/json', 'x-webhook-signature': signature },
            };
          },
        },
      ],
    });
    const accepted = result['2xx'] / result.duration;
    console.log(
      `  ingress accepted webhooks: ${accepted.toFixed(0)} req/s (${((accepted / ceiling) * 100).toFixed(0)}% of the ceiling)`,
    );
    console.log(`  latency: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
    console.log(
      `  answers: ${result['2xx']} 2xx, ${result.non2xx} other, ${result.errors} connection errors, ${result.timeouts} timeouts`,
    );
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    const admin = (await createKafka()).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => {});
    await admin.disconnect();
  }
}
