import type { KafkaService } from '@vsp/infra';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { freePortRange } from './free-port.js';
import { topicRecordCount } from './kafka.js';
import { type NodeControl, nodeControl, startOwnInfra } from './own-infra.js';
import type { CleanupContext } from './test-context.js';

export interface KafkaCluster extends NodeControl {
  /** The bootstrap list, as KAFKA_BROKERS. */
  brokers: string;
  nodes: readonly KafkaService[];
  /** How many records a topic holds (the sum of its partitions' end offsets; nothing is ever deleted). */
  recordCount(topic: string): Promise<number>;
  /** The node id leading each partition of a topic (-1: none), as the cluster's metadata says. */
  leaders(topic: string): Promise<number[]>;
}

/**
 * A Kafka cluster of its own for a test that loses brokers: `count` KRaft nodes on free ports,
 * with their own data under a temporary INFRA_HOME, run by infra exactly as INFRA_KAFKA_BROKERS
 * runs them. The registry, PostgreSQL and Qdrant stay the shared ones. Stopped and deleted after
 * the test.
 */
export async function startKafkaCluster(t: CleanupContext, count = 3): Promise<KafkaCluster> {
  const ports = await freePortRange(2 * count);
  const infra = await startOwnInfra(t, (shared) => ({
    INFRA_KAFKA_PORT: String(ports),
    INFRA_KAFKA_BROKERS: String(count),
    SCHEMA_REGISTRY_URL: shared.schemaRegistryUrl,
    DATABASE_URL: shared.databaseUrl,
    QDRANT_URL: shared.qdrantUrl,
  }));
  const withAdmin = async <R>(work: (admin: Admin) => Promise<R>): Promise<R> => {
    const admin = new Kafka({ brokers: infra.endpoints.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  };
  return {
    brokers: infra.endpoints.kafkaBrokers.join(','),
    nodes: infra.kafkaNodes,
    ...nodeControl(infra.kafkaNodes),
    recordCount: (topic) => topicRecordCount(topic, { brokers: infra.endpoints.kafkaBrokers }),
    leaders: (topic) =>
      withAdmin(
        async (admin) =>
          (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.map((p) => p.leader) ?? [],
      ),
  };
}
