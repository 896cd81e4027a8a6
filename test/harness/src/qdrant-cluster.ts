import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalInfra, loadInfraConfig, type QdrantService } from '@vsp/infra';
import { freePortRange } from './free-port.js';
import { ensureInfra } from './infra.js';
import { type CleanupContext, onCleanup } from './test-context.js';

export interface QdrantCluster {
  /** Every node's URL, comma-separated, as QDRANT_URL. */
  url: string;
  nodes: readonly QdrantService[];
  /** SIGKILLs node n (1-based): a node lost, not shut down. */
  kill(node: number): Promise<void>;
  /** Starts node n again and resolves once it answers and knows every peer. */
  restart(node: number): Promise<void>;
  /** The pid of node n's process. */
  pid(node: number): Promise<number>;
  /** The state of every replica of a collection's shards, as each node sees them ("Active", "Dead", "Partial", …). */
  replicaStates(collection: string): Promise<string[]>;
}

/**
 * A Qdrant of its own for a test or a benchmark: `count` nodes (1: a lone server; more: one cluster
 * in distributed mode) from QDRANT_BIN on free ports, with their data under a temporary
 * INFRA_HOME, run by infra exactly as INFRA_QDRANT_NODES runs them. Kafka, the registry and
 * PostgreSQL stay the shared ones. Stopped and deleted afterwards.
 */
export async function startQdrantCluster(t: CleanupContext, count = 3): Promise<QdrantCluster> {
  const shared = await ensureInfra();
  const { QDRANT_BIN, INFRA_CACHE_DIR } = loadInfraConfig();
  if (!QDRANT_BIN) throw new Error('a Qdrant cluster needs QDRANT_BIN: the qdrant server binary to run');
  const home = mkdtempSync(join(tmpdir(), 'qdrant-cluster-'));
  const infra = new LocalInfra(
    loadInfraConfig({
      INFRA_HOME: home,
      INFRA_CACHE_DIR,
      QDRANT_BIN,
      INFRA_QDRANT_PORT: String(await freePortRange(3 * count)),
      INFRA_QDRANT_NODES: String(count),
      KAFKA_BROKERS: shared.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: shared.schemaRegistryUrl,
      DATABASE_URL: shared.databaseUrl,
    }),
  );
  onCleanup(t, async () => {
    await infra.down();
    rmSync(home, { recursive: true, force: true });
  });
  await infra.up();
  const node = (n: number) => infra.qdrantNodes[n - 1] as QdrantService;
  const pid = async (n: number) => {
    const state = await node(n).state();
    if (state.kind !== 'ours') throw new Error(`${node(n).name} is not running`);
    return state.pid;
  };
  return {
    url: infra.endpoints.qdrantUrl as string,
    nodes: infra.qdrantNodes,
    pid,
    async kill(n) {
      process.kill(await pid(n), 'SIGKILL');
    },
    async restart(n) {
      await node(n).up();
    },
    async replicaStates(collection) {
      const states = await Promise.all(
        infra.qdrantNodes.map(async ({ address }) => {
          const response = await fetch(`${address}/collections/${collection}/cluster`);
          const { result } = (await response.json()) as {
            result: { local_shards: { state: string }[]; remote_shards: { state: string }[] };
          };
          return [...result.local_shards, ...result.remote_shards].map(({ state }) => state);
        }),
      );
      return states.flat();
    },
  };
}
