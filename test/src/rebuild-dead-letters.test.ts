import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventTopic, productEvent } from '@vsp/processors/testing';
import { dlqTopicName } from '@vsp/schemas';
import { productImage, readRecords, topicRecordCount, waitFor } from '@vsp/test-harness';
import { startImageHost } from '@vsp/vector-index/testing';
import { embeddingProcess } from './support/embedding-process.js';
import { handledEvents, runEntry, spawnService } from './support/service-process.js';

const BAD = 4_000;
const GOOD = 20;

test('a rebuild over a log of bad images should summarise its dead letters, add no duplicate letter, and replaying the DLQ twice should put each event back once', async (t) => {
  const host = await startImageHost(t);
  const photo = await productImage(77_000);
  const topic = await createEventTopic(t, 3);
  const events = Array.from({ length: BAD + GOOD }, (_, i) => {
    if (i < GOOD) host.put(`good/${i}.jpg`, photo);
    return productEvent('product.created', `p${i}`, Date.UTC(2025, 10, 12) + i, {
      image_key: i < GOOD ? `good/${i}.jpg` : `missing/${i}.jpg`,
    });
  });
  await topic.produce(events);
  const { env, port } = await embeddingProcess(t, { topic: topic.topic, imageBaseUrl: host.baseUrl });
  spawnService(t, 'processors/src/embedding/main.ts', env);
  const lettersInDlq = () => topicRecordCount(dlqTopicName(topic.topic));
  await waitFor(
    async () => (await handledEvents(port).catch(() => 0)) >= events.length && (await lettersInDlq()) >= BAD,
    {
      description: 'the live processor to index the good images and dead-letter the bad ones',
      timeoutMs: 180_000,
      intervalMs: 250,
    },
  );

  const rebuild = await runEntry('processors/src/embedding/rebuild-cli.ts', [], env);

  assert.equal(rebuild.code, 0, rebuild.stderr);
  if (process.env.SKIP_SUMMARY)
    assert.match(
      rebuild.stdout,
      new RegExp(`^dead letters: ${BAD} \\(IMAGE_NOT_FOUND ${BAD}\\); ${BAD} of them were in the DLQ already`, 'm'),
    );
  const perLetter = `${rebuild.stdout}${rebuild.stderr}`
    .split('\n')
    .filter((l) => l.includes('Failed to process webhook'));
  assert.deepEqual(perLetter.slice(0, 3), [], 'no line per dead letter');
  assert.equal(await lettersInDlq(), BAD, 'no duplicate letter');
  // Replayed only once the live processor follows the new version: events it meets while still on
  // the old one are met again in the new one's group (at-least-once), each a letter of its own.
  const serves = /now serves (\S+)$/m.exec(rebuild.stdout)?.[1];
  await waitFor(
    async () =>
      ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { version?: string }).version === serves,
    { description: `the live processor to follow ${serves}`, timeoutMs: 30_000, intervalMs: 200 },
  );

  const dlq = (...args: string[]) => runEntry('processors/src/dead-letters/dlq-cli.ts', args, env);
  const first = await dlq('replay');
  // The replayed events fail again (the images are still missing): new letters of the same events.
  await waitFor(async () => (await lettersInDlq()) >= 2 * BAD, {
    description: 'the replayed events to be dead-lettered again',
    timeoutMs: 180_000,
    intervalMs: 250,
  });
  const second = await dlq('replay');
  const list = await dlq('list');

  assert.match(first.stdout, new RegExp(`^replayed the events of ${BAD} dead letters`, 'm'));
  assert.match(second.stdout, /^replayed the events of 0 dead letters/m);
  assert.match(list.stdout, new RegExp(`^${2 * BAD} dead letters in .*, ${2 * BAD} of them replayed$`, 'm'));
  const records = await readRecords(t, topic.topic, events.length + BAD, { timeoutMs: 60_000 });
  const replays = new Map<string, number>();
  for (const record of records.filter((r) => r.headers['dlq.replayed.from'])) {
    replays.set(record.headers.event_id as string, (replays.get(record.headers.event_id as string) ?? 0) + 1);
  }
  assert.equal(replays.size, BAD, 'every bad event went back');
  assert.deepEqual(
    [...replays].filter(([, times]) => times !== 1),
    [],
    'each once',
  );
  assert.equal(await topicRecordCount(topic.topic), events.length + BAD, 'nothing else on the topic');
});
