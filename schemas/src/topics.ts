import { waitFor } from '@vsp/platform';
import type { Admin, ITopicConfig } from 'kafkajs';

export interface TopicSettings {
  /** PRODUCT_EVENTS_TOPIC; the dead-letter topic is this name + ".dlq". */
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** How many replicas must have a write before acks=all acknowledges it. */
  minInsyncReplicas: number;
}

export interface TopicSpec extends ITopicConfig {
  numPartitions: number;
  replicationFactor: number;
}

/** How long new topics' partitions may go without a leader that the metadata names. */
const LEADERS_TIMEOUT_MS = 30_000;

export const dlqTopicName = (topic: string): string => `${topic}.dlq`;

/**
 * product-events: keyed by product_id; retention unlimited because the log is what a rebuild
 * replays. The DLQ keeps the same partition count so a dead letter can stay near its origin.
 */
export function topicSpecs({ topic, partitions, replicationFactor, minInsyncReplicas }: TopicSettings): TopicSpec[] {
  const durable = [
    { name: 'retention.ms', value: '-1' },
    { name: 'retention.bytes', value: '-1' },
    { name: 'cleanup.policy', value: 'delete' },
    { name: 'min.insync.replicas', value: String(minInsyncReplicas) },
  ];
  return [
    { topic, numPartitions: partitions, replicationFactor, configEntries: durable },
    { topic: dlqTopicName(topic), numPartitions: partitions, replicationFactor, configEntries: durable },
  ];
}

/**
 * Replication for new topics on a cluster of `brokers`: what was asked, else 3 replicas with 2 in
 * sync once there are 3 brokers (one broker may fail without losing an acknowledged write or
 * stopping writes), else 1. Undefined when the cluster cannot hold what was asked.
 */
export function replicationFor(
  brokers: number,
  asked: { replicationFactor?: number | undefined; minInsyncReplicas?: number | undefined },
): { replicationFactor: number; minInsyncReplicas: number } | undefined {
  const replicationFactor = asked.replicationFactor ?? (brokers >= 3 ? 3 : 1);
  if (replicationFactor > brokers) return undefined;
  return {
    replicationFactor,
    minInsyncReplicas: Math.min(replicationFactor, asked.minInsyncReplicas ?? (replicationFactor >= 3 ? 2 : 1)),
  };
}

/**
 * Creates those of `names` that do not exist yet, from the specs `specsFor` makes, asked only then:
 * how to create a topic (its replication, say) is a question for creation, not for every start.
 * Existing topics are left as they are (partition counts only grow by an operator's decision,
 * never as a side effect of a restart).
 */
export async function ensureTopics(
  admin: Admin,
  names: readonly string[],
  specsFor: () => Promise<readonly ITopicConfig[]>,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = names.filter((name) => !existing.has(name));
  if (missing.length === 0) return [];
  const specs = (await specsFor()).filter((spec) => missing.includes(spec.topic));
  // Not kafkajs' own waitForLeaders: it waits out only LEADER_NOT_AVAILABLE, while a broker that
  // has just started may answer UNKNOWN_TOPIC_OR_PARTITION for a moment about a topic it has
  // created, and createTopics then fails although the topics exist.
  await admin.createTopics({ topics: [...specs], waitForLeaders: false });
  await untilLed(admin, missing);
  return missing;
}

/** Until the metadata names a leader for every partition of `topics` (it throws while it cannot). */
async function untilLed(admin: Admin, topics: readonly string[]): Promise<void> {
  await waitFor(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      return metadata.topics.every(({ partitions }) => partitions.length > 0 && partitions.every((p) => p.leader >= 0));
    },
    { description: `a leader for every partition of ${topics.join(', ')}`, timeoutMs: LEADERS_TIMEOUT_MS },
  );
}
