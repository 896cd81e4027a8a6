import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { INGRESS_NODE_ARGS } from '@vsp/infra';
import { WebhookSignature } from '@vsp/ingress';
import { TEST_SECRET, testIngressEnv, webhookBody } from '@vsp/ingress/testing';
import { dlqTopicName, ProductEventCodec, toProductEvent } from '@vsp/schemas';
import { createKafka, ensureInfra, freePort, uniqueName, waitFor } from '@vsp/test-harness';
import autocannon from 'autocannon';
import { Partitioners } from 'kafkajs';
import { cpuSeconds, residentMb, serve } from './served-process.js';

export interface IngressBenchOptions {
  durationSeconds: number;
  connections: number;
  /** Where the ingress processes write V8 CPU profiles (node --cpu-prof), if anywhere. */
  cpuProfileDir?: string | undefined;
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
async function rawProducerCeiling(
  bodies: { body: string }[],
  registryUrl: string,
  seconds: number,
): Promise<{ rate: number; cpuMicrosPerRecord: number }> {
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
      // The ingress's own headers (docs/EVENTS.md), so the records cost kafkajs what ours do.
      headers: {
        event_type: event.event_type,
        event_id: event.event_id,
        product_id: event.data.product_id,
        received_at: new Date(event.received_at).toISOString(),
        schema_id: String(codec.schemaId),
        request_id: randomUUID(),
      },
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
  const cpuAtStart = process.cpuUsage();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    const batch = messages.slice(sent % messages.length, (sent % messages.length) + 1_000);
    await producer.send({ topic, acks: -1, messages: batch });
    sent += batch.length;
  }
  const cpu = process.cpuUsage(cpuAtStart);
  const rate = sent / ((performance.now() - started) / 1000);
  const cpuMicrosPerRecord = (cpu.user + cpu.system) / sent;
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  return { rate, cpuMicrosPerRecord };
}

/** Posts the bodies round-robin over `connections` keep-alive connections for `seconds`. */
function load(url: string, bodies: { body: string; signature: string }[], connections: number, seconds: number) {
  let next = 0;
  return autocannon({
    url,
    connections,
    duration: seconds,
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
}

/** Puts `load` on a served process and reads the CPU it spent answering, in µs per 2xx answer. */
async function measuredLoad(pid: number, run: () => ReturnType<typeof load>) {
  const before = cpuSeconds(pid);
  const result = await run();
  return { result, cpuMicrosPerAnswer: ((cpuSeconds(pid) - before) * 1e6) / Math.max(result['2xx'], 1) };
}

export async function runIngressBench({
  durationSeconds,
  connections,
  cpuProfileDir,
}: IngressBenchOptions): Promise<void> {
  const { schemaRegistryUrl } = await ensureInfra();
  const bodies = signedBodies(20_000);
  console.log(
    `ingress benchmark: ${connections} connections over loopback, ${durationSeconds} s per run, acks=all, idempotent producer`,
  );

  const { rate: ceiling, cpuMicrosPerRecord } = await rawProducerCeiling(
    bodies,
    schemaRegistryUrl,
    Math.min(durationSeconds, 10),
  );
  console.log(
    `  raw kafkajs batched producer (ceiling): ${ceiling.toFixed(0)} records/s, ${cpuMicrosPerRecord.toFixed(1)} µs CPU per record`,
  );

  const helloPort = await freePort();
  const hello = serve(['test/bench/hello-world-server.mjs', String(helloPort)], {});
  let helloWorld: number;
  try {
    const url = `http://127.0.0.1:${helloPort}/api/v1/webhooks/bakai`;
    await waitFor(async () => (await fetch(url, { method: 'POST' }).catch(() => undefined)) !== undefined, {
      description: 'the hello-world route',
      timeoutMs: 60_000,
    });
    const { result, cpuMicrosPerAnswer } = await measuredLoad(hello.pid, () =>
      load(url, bodies, connections, durationSeconds),
    );
    helloWorld = result['2xx'] / result.duration;
    console.log(
      `  Fastify hello-world route, same bodies: ${helloWorld.toFixed(0)} req/s (p99 ${result.latency.p99} ms), ` +
        `${cpuMicrosPerAnswer.toFixed(1)} µs CPU per request`,
    );
    // A webhook costs at least what the route costs plus what kafkajs alone spends on its record.
    const bound = cpuMicrosPerAnswer / (cpuMicrosPerAnswer + cpuMicrosPerRecord);
    console.log(
      `    with kafkajs's cost per record added, a webhook can reach at most ${(bound * 100).toFixed(0)}% of this route's rate per core`,
    );
  } finally {
    await hello.stop();
  }

  for (const workers of [...new Set([1, availableParallelism()])]) {
    await ingressRun({ workers, bodies, connections, durationSeconds, helloWorld, ceiling, cpuProfileDir });
  }
}

async function ingressRun({
  cpuProfileDir,
  workers,
  bodies,
  connections,
  durationSeconds,
  helloWorld,
  ceiling,
}: IngressBenchOptions & {
  workers: number;
  bodies: { body: string; signature: string }[];
  helloWorld: number;
  ceiling: number;
}) {
  const port = await freePort();
  const env = await testIngressEnv({
    PORT: String(port),
    INGRESS_WORKERS: String(workers),
    PRODUCT_EVENTS_PARTITIONS: '12',
    // The seed's daily log file is part of the cost of a webhook, so it stays on.
    LOG_DIR: mkdtempSync(join(tmpdir(), 'ingress-bench-logs-')),
  });
  const topic = String(env.PRODUCT_EVENTS_TOPIC);
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const ingress = serve([...profile, ...INGRESS_NODE_ARGS, 'ingress/dist/main.js'], env);
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/api/v1/ready`)).ok, {
      description: 'the ingress',
      timeoutMs: 60_000,
    });
    const { result, cpuMicrosPerAnswer } = await measuredLoad(ingress.pid, () =>
      load(`${url}/api/v1/webhooks/bakai`, bodies, connections, durationSeconds),
    );
    const accepted = result['2xx'] / result.duration;
    console.log(
      `  ingress, INGRESS_WORKERS=${workers}: ${accepted.toFixed(0)} accepted webhooks/s = ${((accepted / helloWorld) * 100).toFixed(0)}% of ` +
        `the hello-world route, ${((accepted / ceiling) * 100).toFixed(0)}% of the ceiling`,
    );
    console.log(
      `    latency: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );
    console.log(
      `    answers: ${result['2xx']} 2xx, ${result.non2xx} other, ${result.errors} connection errors, ${result.timeouts} timeouts`,
    );
    console.log(`    CPU: ${cpuMicrosPerAnswer.toFixed(1)} µs per accepted webhook (all its processes)`);
    console.log(`    resident memory after the run: ${residentMb(ingress.pid).toFixed(0)} MB (all its processes)`);
  } finally {
    await ingress.stop();
    const admin = (await createKafka()).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopicName(topic)] }).catch(() => {});
    await admin.disconnect();
  }
}
