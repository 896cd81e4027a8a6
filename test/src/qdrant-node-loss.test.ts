import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { dlqTopicName } from '@vsp/schemas';
import {
  onCleanup,
  productImage,
  skipWithoutQdrant,
  startQdrantCluster,
  topicRecordCount,
  waitFor,
} from '@vsp/test-harness';
import { IndexVersions, type ProductPoint } from '@vsp/vector-index';
import { answers, startPipeline } from './support/pipeline-process.js';
import { handledEvents } from './support/service-process.js';
import { postWebhook } from './support/signed-webhook.js';
import { steadyRequests } from './support/steady-load.js';

const RATE = 200;
const PRODUCTS = 300;
const PICTURES = 40;
const SEARCH_CLIENTS = 8;

interface Search {
  at: number;
  status: number;
  /** What a failed search answered. */
  answer?: string;
}

/**
 * The n-th webhook of the run: each product created with a picture first, then every tenth event
 * a new picture, the others a new title.
 */
function webhookAt(n: number): { data: { product_id: string; title?: string; image_key?: string } } {
  const product_id = `p${n % PRODUCTS}`;
  const image_key = `pictures/${(n * 7) % PICTURES}.jpg`;
  const title = `Товар ${n}`;
  const [event_type, data] =
    n < PRODUCTS
      ? ['product.created', { product_id, title, image_key, price: 100 + n, currency: 'KGS' }]
      : n % 10 === 0
        ? ['product.image.updated', { product_id, image_key }]
        : ['product.updated', { product_id, title, price: 100 + (n % 900), currency: 'KGS' }];
  return {
    event_type,
    event_id: `evt_node_loss_${n}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    data,
  } as ReturnType<typeof webhookAt>;
}

test('a Qdrant node of three SIGKILLed under 200 webhooks/s and 8 searching clients should cost no search and no event, and the index should equal the fold of the log once it is back', {
  skip: skipWithoutQdrant(),
}, async (t) => {
  const cluster = await startQdrantCluster(t, 3);
  const images = mkdtempSync(join(tmpdir(), 'node-loss-images-'));
  onCleanup(t, () => rmSync(images, { recursive: true, force: true }));
  mkdirSync(join(images, 'pictures'));
  for (let i = 0; i < PICTURES; i++)
    writeFileSync(join(images, 'pictures', `${i}.jpg`), await productImage(60_000 + i));
  const pipeline = await startPipeline(t, {
    VECTOR_STORE: 'qdrant',
    QDRANT_URL: cluster.url,
    IMAGE_BASE_URL: pathToFileURL(`${images}/`).href,
  });
  // A clean-up, so that a failed wait shows them too: what the services warned of.
  onCleanup(t, () => {
    for (const line of pipeline
      .output()
      .split('\n')
      .filter((l) => /"level":[456]0/.test(l))
      .slice(0, 20)) {
      t.diagnostic(line.slice(0, 600));
    }
  });
  const ingress = `http://127.0.0.1:${pipeline.ports.ingress}`;
  const sent: ReturnType<typeof webhookAt>[] = [];
  let refused = 0;
  const send = async () => {
    const webhook = webhookAt(sent.length);
    sent.push(webhook);
    if ((await postWebhook(ingress, webhook)).status !== 200) refused++;
  };
  const indexed = (count: number) => async () => (await handledEvents(pipeline.ports.embedding)) >= count;

  // Every product indexed before the searches start, so each search has a product to start from.
  while (sent.length < PRODUCTS) await send();
  assert.equal(refused, 0, 'the ingress accepted every product of the catalogue');
  await waitFor(indexed(PRODUCTS), { description: 'the catalogue indexed', timeoutMs: 120_000 });

  await waitFor(() => answers(pipeline.ports.search, '/api/v1/ready'), {
    description: 'the search service to find the version',
    timeoutMs: 30_000,
  });
  const searches: Search[] = [];
  let searching = true;
  const clients = Array.from({ length: SEARCH_CLIENTS }, async (_, c) => {
    for (let i = c; searching; i += SEARCH_CLIENTS) {
      const response = await fetch(
        `http://127.0.0.1:${pipeline.ports.search}/api/v1/products/p${i % PRODUCTS}/similar?k=10`,
      );
      const answer = await response.text();
      searches.push({ at: Date.now(), status: response.status, ...(response.ok ? {} : { answer }) });
    }
  });
  const load = steadyRequests(RATE, send);
  const stopTraffic = async () => {
    await load.stop();
    searching = false;
    await Promise.all(clients);
  };
  onCleanup(t, stopTraffic);
  const okSince = (from: number) => searches.filter((s) => s.at >= from && s.status === 200).length;
  await waitFor(() => okSince(0) >= 100, { description: 'searches answering', timeoutMs: 30_000 });

  // Node 1: the node every service talks to first, and the one that started the consensus.
  const killedAt = Date.now();
  await cluster.kill(1);
  await waitFor(() => okSince(killedAt) >= 500, { description: 'searches answered without node 1', timeoutMs: 60_000 });
  // The load's length with a node down, not a wait for a condition.
  await delay(5_000);
  const writtenWithoutNode = await handledEvents(pipeline.ports.embedding);
  await cluster.restart(1);
  const backAt = Date.now();
  await waitFor(() => okSince(backAt) >= 500, { description: 'searches with node 1 back', timeoutMs: 60_000 });
  await stopTraffic();
  await waitFor(indexed(sent.length), { description: 'every event indexed', timeoutMs: 120_000 });

  const failed = searches.filter((s) => s.status !== 200);
  t.diagnostic(
    `${sent.length} webhooks (${refused} refused), ${searches.length} searches; ` +
      `${writtenWithoutNode} events handled by the time node 1 came back; failed searches: ${failed.length}` +
      (failed.length
        ? ` (first +${(failed[0] as Search).at - killedAt} ms after the kill, answering ${(failed[0] as Search).answer})`
        : ''),
  );
  assert.equal(refused, 0, 'the ingress accepted every webhook');
  assert.deepEqual(failed, [], 'no search failed');
  assert.equal(
    await topicRecordCount(dlqTopicName(pipeline.env.PRODUCT_EVENTS_TOPIC as string)),
    0,
    'nothing dead-lettered',
  );

  // What the log folds to: each product's last title and last picture.
  const expected = new Map<string, { title?: string; image_key?: string }>();
  for (const { data } of sent) {
    const { product_id, ...changed } = data;
    expected.set(product_id, { ...expected.get(product_id), ...changed });
  }
  const versions = IndexVersions.connect({
    QDRANT_URL: cluster.url,
    VECTOR_ALIAS: pipeline.env.VECTOR_ALIAS as string,
  });
  onCleanup(t, () => versions.close());
  const served = (await versions.serving())?.name;
  assert.ok(served, 'a version serves');
  const { result } = (await (await fetch(`${cluster.nodes[1]?.address}/collections/${served}`)).json()) as {
    result: { config: { params: Record<string, number> } };
  };
  const { shard_number, replication_factor, write_consistency_factor } = result.config.params;
  assert.deepEqual(
    { shard_number, replication_factor, write_consistency_factor },
    { shard_number: 3, replication_factor: 2, write_consistency_factor: 1 },
    'a shard per node, each on two nodes',
  );
  await waitFor(async () => (await cluster.replicaStates(served)).every((state) => state === 'Active'), {
    description: 'every replica active again',
    timeoutMs: 60_000,
  });
  // Through each node alone: each answers from its own replicas where it has them.
  for (const node of cluster.nodes) {
    const alone = IndexVersions.connect({
      QDRANT_URL: node.address,
      VECTOR_ALIAS: pipeline.env.VECTOR_ALIAS as string,
    });
    assert.equal((await alone.serving())?.name, served, `${node.name} serves the same version`);
    const points: Map<string, ProductPoint> = await alone.store(served).get([...expected.keys()]);
    const differing = [...expected]
      .map(([id, want]) => {
        const payload = points.get(id)?.payload;
        return { id, want, got: payload && { title: payload.title, image_key: payload.image_key } };
      })
      .filter(({ want, got }) => got?.title !== want.title || got?.image_key !== want.image_key);
    assert.deepEqual(differing, [], `${node.name}: every product as the log has it`);
  }
});
