import { loadInfraConfig, type QdrantService } from '@vsp/infra';
import { freePortRange } from './free-port.js';
import { type NodeControl, nodeControl, startOwnQdrant } from './own-infra.js';
import type { CleanupContext } from './test-context.js';

export interface QdrantCluster extends NodeControl {
  /** Every node's URL, comma-separated, as QDRANT_URL. */
  url: string;
  nodes: readonly QdrantService[];
  /** The state of every replica of a collection's shards, as each node sees them ("Active", "Dead", "Partial", …). */
  replicaStates(collection: string): Promise<string[]>;
}

/**
 * A Qdrant of its own for a test or a benchmark: `count` nodes (1: a lone server; more: one cluster
 * in distributed mode) from QDRANT_BIN on free ports, with their data under a temporary
 * INFRA_HOME, run by infra exactly as INFRA_QDRANT_NODES runs them; nothing else is started
 * (a test that needs Kafka too asks for the shared one). Stopped and deleted afterwards.
 */
export async function startQdrantCluster(t: CleanupContext, count = 3): Promise<QdrantCluster> {
  const { QDRANT_BIN } = loadInfraConfig();
  if (!QDRANT_BIN) throw new Error('a Qdrant cluster needs QDRANT_BIN: the qdrant server binary to run');
  const ports = await freePortRange(3 * count);
  const infra = await startOwnQdrant(t, {
    QDRANT_BIN,
    INFRA_QDRANT_PORT: String(ports),
    INFRA_QDRANT_NODES: String(count),
  });
  return {
    url: infra.endpoints.qdrantUrl as string,
    nodes: infra.qdrantNodes,
    ...nodeControl(infra.qdrantNodes),
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
