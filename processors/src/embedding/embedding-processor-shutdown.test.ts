import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '@vsp/test-harness';
import { openModelFor } from '@vsp/vector-index';
import { ProcessorClosedError } from '../errors.js';
import { createEventTopic, createTestEmbedding, testEmbeddingConfig } from '../testing/index.js';

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

// An inference worker stopped while its model loads aborts the whole process (see
// EmbeddingModel.close), which is what a SIGINT early in start-up used to do.
test('embedding processor closed while its model loads should wait for the load, close that model and consume nothing', async (t) => {
  const topic = await createEventTopic(t, 1);
  const config = await testEmbeddingConfig(t, topic.topic, 'http://127.0.0.1:9/');
  const loading = gate();
  const loaded = gate();
  const events: string[] = [];
  const { processor } = await createTestEmbedding(t, config, {
    openModel: async (version, settings) => {
      loading.open();
      await loaded.opened;
      const model = await openModelFor(version, settings);
      events.push('model opened');
      const close = model.close.bind(model);
      model.close = () => close().then(() => void events.push('model closed'));
      return model;
    },
  });

  const starting = processor.start();
  await loading.opened;
  const closing = processor.close().then(() => void events.push('processor closed'));
  loaded.open();
  await Promise.all([starting, closing]);

  assert.deepEqual(events, ['model opened', 'model closed', 'processor closed']);
  assert.equal(processor.health().status, 'stopping');
});

test('embedding processor closed while the vector store is unreachable should end its start at once', {
  timeout: 60_000,
}, async (t) => {
  const topic = await createEventTopic(t, 1);
  const config = Object.freeze({
    ...(await testEmbeddingConfig(t, topic.topic, 'http://127.0.0.1:9/')),
    VECTOR_STORE: 'qdrant' as const,
    QDRANT_URL: `http://127.0.0.1:${await freePort()}`,
  });
  const { processor } = await createTestEmbedding(t, config);

  const starting = processor.start();
  await processor.close();

  await starting;
  await assert.rejects(processor.start(), { code: ProcessorClosedError.code });
});
