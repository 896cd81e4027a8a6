import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InfraEndpoints, LocalInfra, loadInfraConfig, StartFailedError } from '@vsp/infra';
import { ensureInfra } from './infra.js';
import { type CleanupContext, onCleanup } from './test-context.js';

/** A node of a test's own cluster, as infra runs it. */
interface ClusterNode {
  readonly name: string;
  state(): Promise<{ kind: string; pid?: number }>;
  up(): Promise<unknown>;
}

/** What a test that loses nodes does with node n (1-based). */
export interface NodeControl {
  /** SIGKILLs node n: a node lost, not shut down. */
  kill(node: number): Promise<void>;
  /** Starts node n again and resolves once it is ready. */
  restart(node: number): Promise<void>;
  pid(node: number): Promise<number>;
}

/**
 * Infra of a test's own under a temporary INFRA_HOME, run exactly as `npm run infra:up` runs it:
 * the services `settings` give it to run (on the ports they choose), every other one pointed at
 * the shared infra's. Stopped and deleted after the test.
 */
export async function startOwnInfra(
  t: CleanupContext,
  settings: (shared: InfraEndpoints) => Record<string, string | undefined>,
): Promise<LocalInfra> {
  const { infra } = createOwnInfra(t, settings(await ensureInfra()));
  await infra.up();
  return infra;
}

/**
 * Only the Qdrant nodes `settings` describe, run by infra as `startOwnInfra` runs them, with no
 * Kafka, registry or PostgreSQL started or asked for: a test or benchmark of the index alone does
 * not share the machine with idle brokers.
 */
export async function startOwnQdrant(t: CleanupContext, settings: Record<string, string>): Promise<LocalInfra> {
  const { infra } = createOwnInfra(t, settings);
  await Promise.all(infra.qdrantNodes.map((node) => node.up()));
  return infra;
}

/**
 * Infra of a test's own under a temporary INFRA_HOME (returned, for a test that puts files there
 * first), nothing started yet; stopped and deleted after the test.
 */
export function createOwnInfra(
  t: CleanupContext,
  settings: Record<string, string | undefined>,
): { infra: LocalInfra; home: string } {
  const home = mkdtempSync(join(tmpdir(), 'own-infra-'));
  const infra = new LocalInfra(
    loadInfraConfig({ INFRA_HOME: home, INFRA_CACHE_DIR: loadInfraConfig().INFRA_CACHE_DIR, ...settings }),
  );
  // Stops only what it started (by pid): the services it was not asked to run are left alone.
  onCleanup(t, async () => {
    await infra.down();
    rmSync(home, { recursive: true, force: true });
  });
  return { infra, home };
}

/** Kill, restart and pid of the nodes given, node 1 first. */
export function nodeControl(nodes: readonly ClusterNode[]): NodeControl {
  const node = (n: number) => nodes[n - 1] as ClusterNode;
  const pid = async (n: number) => {
    const state = await node(n).state();
    if (state.kind !== 'ours' || state.pid === undefined) throw new Error(`${node(n).name} is not running`);
    return state.pid;
  };
  return {
    pid,
    async kill(n) {
      process.kill(await pid(n), 'SIGKILL');
    },
    async restart(n) {
      // The log is deleted with the test's INFRA_HOME: its end goes into the error.
      await node(n)
        .up()
        .catch((error: unknown) => {
          if (!(error instanceof StartFailedError)) throw error;
          const tail = readFileSync(error.logFile, 'utf8').split('\n').slice(-40).join('\n');
          throw new Error(`${error.message}; it ends:\n${tail}`, { cause: error });
        });
    },
  };
}
