import { dlqTopicName, type ProductEvent, ProductEventCodec } from '@vsp/schemas';
import {
  type CleanupContext,
  createKafka,
  createTopic,
  deleteSubjectAfter,
  ensureInfra,
  onCleanup,
} from '@vsp/test-harness';

export interface EventTopic {
  topic: string;
  /** Its dead-letter topic (dlqTopicName). */
  dlq: string;
  /** Appends events keyed by product id, encoded with the registered schema. */
  produce(events: readonly ProductEvent[]): Promise<void>;
  /** Appends raw bytes, for poison records. */
  produceRaw(messages: { key: string; value: Buffer }[]): Promise<void>;
}

/**
 * A fresh product-events topic (and its DLQ) with its schema registered, removed after the test;
 * `name` for one a component under test was already told about.
 */
export async function createEventTopic(t: CleanupContext, partitions = 3, name?: string): Promise<EventTopic> {
  const { schemaRegistryUrl } = await ensureInfra();
  const topic = await createTopic(t, { partitions, prefix: 'product-events', ...(name ? { name } : {}) });
  const dlq = dlqTopicName(topic);
  const admin = (await createKafka()).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: dlq, numPartitions: partitions }], waitForLeaders: true });
  onCleanup(t, async () => {
    await admin.deleteTopics({ topics: [dlq] }).catch(() => {});
    await admin.disconnect();
  });
  await deleteSubjectAfter(t, `${topic}-value`);
  const codec = await ProductEventCodec.register({ registryUrl: schemaRegistryUrl, subject: `${topic}-value` });
  const producer = (await createKafka()).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  onCleanup(t, () => producer.disconnect());
  // Slices of the records tests make stay under the topic's 1 MB max.message.bytes.
  const send = async (messages: { key: string; value: Buffer; headers?: Record<string, string> }[]) => {
    for (let i = 0; i < messages.length; i += 1_000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1_000) });
    }
  };
  return {
    topic,
    dlq,
    produce: (events) =>
      send(
        events.map((e) => ({
          key: e.data.product_id,
          value: codec.encode(e),
          headers: { event_type: e.event_type, event_id: e.event_id },
        })),
      ),
    produceRaw: send,
  };
}
