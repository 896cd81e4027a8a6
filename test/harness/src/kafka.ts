import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { ensureInfra } from './infra.js';
import { type CleanupContext, onCleanup } from './test-context.js';
import { uniqueName } from './unique-name.js';

export async function createKafka(overrides: Partial<KafkaConfig> = {}): Promise<Kafka> {
  const { kafkaBrokers } = await ensureInfra();
  return new Kafka({ clientId: uniqueName('test'), brokers: kafkaBrokers, logLevel: logLevel.WARN, ...overrides });
}

/** A fresh topic for one test, deleted when the test ends. */
export async function createTopic(t: CleanupContext, { partitions = 1, prefix = 'test' } = {}): Promise<string> {
  const topic = uniqueName(prefix);
  const admin = (await createKafka()).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  onCleanup(t, async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });
  return topic;
}

export function uniqueGroupId(): string {
  return uniqueName('test-group');
}
