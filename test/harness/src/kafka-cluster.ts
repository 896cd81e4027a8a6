import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KafkaService, LocalInfra, loadInfraConfig } from '@vsp/infra';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { freePortRange } from './free-port.js';
import { ensureInfra } from './infra.js';
import { topicRecordCount } from './kafka.js';
import { type CleanupContext, onCleanup } from './test-context.js';

export interface KafkaCluster {
  /** The bootstrap list, as KAFKA_BROKERS. */
  brokers: string;
  nodes: readonly KafkaService[];
  /** SIGKILLs node n (1-based): a broker lost, not shut down. */
  kill(node: number): Promise<void>;
  /** Starts node n again and resolves once it answers. */
  restart(node: number): Promise<void>;
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
  const shared = await ensureInfra();
  const home = mkdtempSync(join(tmpdir(), 'kafka-cluster-'));
  const infra = new LocalInfra(
    loadInfraConfig({
      INFRA_HOME: home,
      INFRA_CACHE_DIR: loadInfraConfig().INFRA_CACHE_DIR,
      INFRA_KAFKA_PORT: String(await freePortRange(2 * count)),
      INFRA_KAFKA_BROKERS: String(count),
      SCHEMA_REGISTRY_URL: shared.schemaRegistryUrl,
      DATABASE_URL: shared.databaseUrl,
      QDRANT_URL: shared.qdrantUrl,
    }),
  );
  onCleanup(t, async () => {
    await infra.down();
    rmSync(home, { recursive: true, force: true });
  });
  await infra.up();
  const node = (n: number) => infra.kafkaNodes[n - 1] as KafkaService;
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
    async kill(n) {
      const state = await node(n).state();
      if (state.kind !== 'ours') throw new Error(`${node(n).name} is not running`);
      process.kill(state.pid, 'SIGKILL');
    },
    async restart(n) {
      await node(n).up();
    },
    recordCount: (topic) => topicRecordCount(topic, { brokers: infra.endpoints.kafkaBrokers }),
    leaders: (topic) =>
      withAdmin(
        async (admin) =>
          (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.map((p) => p.leader) ?? [],
      ),
  };
}
