import { waitFor } from '@vsp/platform';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { ensureInfra } from './infra.js';
import { type CleanupContext, onCleanup } from './test-context.js';
import { uniqueName } from './unique-name.js';

export async function createKafka(overrides: Partial<KafkaConfig> = {}): Promise<Kafka> {
  const { kafkaBrokers } = await ensureInfra();
  return new Kafka({
    clientId: uniqueName('test'),
    brokers: kafkaBrokers,
    logLevel: logLevel.NOTHING,
    // Bounded, so a client closed while a broker is down does not reconnect after the test.
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
    ...overrides,
  });
}

/** A fresh topic for one test, deleted when the test ends. */
export async function createTopic(
  t: CleanupContext,
  { partitions = 1, prefix = 'test', name }: { partitions?: number; prefix?: string; name?: string } = {},
): Promise<string> {
  const topic = name ?? uniqueName(prefix);
  const admin = (await createKafka()).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  onCleanup(t, async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });
  return topic;
}

/** How many records a topic holds: the sum of its partitions' end offsets (nothing is ever deleted). */
export async function topicRecordCount(topic: string, { brokers }: { brokers?: string[] } = {}): Promise<number> {
  const admin = (await createKafka(brokers ? { brokers } : {})).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export function uniqueGroupId(): string {
  return uniqueName('test-group');
}

export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning with a fresh consumer group until `count` records have
 * arrived (or the deadline passes), then leaves the group.
 */
export async function readRecords(
  t: CleanupContext,
  topic: string,
  count: number,
  { timeoutMs = 30_000, brokers }: { timeoutMs?: number; brokers?: string[] } = {},
): Promise<ConsumedRecord[]> {
  const kafka = await createKafka(brokers ? { brokers } : {});
  const consumer = kafka.consumer({ groupId: uniqueGroupId(), maxWaitTimeInMs: 100 });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  onCleanup(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      records.push({ partition, offset: message.offset, key: message.key, value: message.value, headers });
    },
  });
  await waitFor(() => records.length >= count, { description: `${count} records on ${topic}`, timeoutMs });
  await consumer.stop();
  return records;
}
