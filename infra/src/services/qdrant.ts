import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { qdrantNodePorts, waitFor } from '@vsp/platform';
import type { InfraConfig } from '../config.js';
import { ToolMissingError } from '../errors.js';
import { LocalService, serviceNodes } from '../local-service.js';
import type { SpawnSpec } from '../managed-process.js';

/**
 * One Qdrant node, when the index is to live in Qdrant: run from the server binary at QDRANT_BIN
 * (no registry ships a Qdrant server, so nothing is downloaded), or left to whoever runs the one at
 * QDRANT_URL. INFRA_QDRANT_NODES nodes make one cluster in Qdrant's distributed mode: node 1 starts
 * the Raft consensus, the others join it through its peer-to-peer port; each has its own data,
 * ports, pid and log.
 */
export class QdrantService extends LocalService {
  readonly name: string;
  readonly #node: number;

  /** The nodes of this checkout's Qdrant (one when QDRANT_URL points elsewhere: the probe). */
  static cluster(config: InfraConfig): QdrantService[] {
    return serviceNodes('qdrant', config.INFRA_QDRANT_NODES, config.QDRANT_URL !== undefined).map(
      ([id, node]) => new QdrantService(config, id, node),
    );
  }

  private constructor(config: InfraConfig, id: string, node: number) {
    super(config, id, 'QDRANT_URL', 'INFRA_QDRANT_PORT');
    this.name = id;
    this.#node = node;
  }

  override get address(): string {
    return this.external ? this.endpoint : urlOf(this.#ports.http);
  }

  get #ports(): { http: number; grpc: number; p2p: number } {
    return qdrantNodePorts(this.config)[this.#node - 1] as { http: number; grpc: number; p2p: number };
  }

  get #clustered(): boolean {
    return this.config.INFRA_QDRANT_NODES > 1;
  }

  override async checkPrerequisites(): Promise<void> {
    const binary = this.config.QDRANT_BIN;
    if (!binary || !existsSync(binary)) {
      throw new ToolMissingError(
        `the Qdrant server (QDRANT_BIN=${binary})`,
        'set QDRANT_BIN to a qdrant server binary, QDRANT_URL to a running Qdrant, or neither for the embedded index',
      );
    }
  }

  protected async install(): Promise<void> {}

  protected async prepare(): Promise<void> {
    const { http, grpc, p2p } = this.#ports;
    writeFileSync(
      this.#configFile,
      [
        'storage:',
        `  storage_path: ${join(this.dataDir, 'storage')}`,
        `  snapshots_path: ${join(this.dataDir, 'snapshots')}`,
        'service:',
        '  host: 127.0.0.1',
        `  http_port: ${http}`,
        `  grpc_port: ${grpc}`,
        'telemetry_disabled: true',
        ...(this.#clustered
          ? ['cluster:', '  enabled: true', '  p2p:', `    port: ${p2p}`, '  consensus:', '    tick_period_ms: 100']
          : []),
        '',
      ].join('\n'),
    );
    // A node joins through node 1, which must answer first; the nodes start in parallel.
    if (this.#clustered && this.#node > 1) {
      const first = urlOf(qdrantNodePorts(this.config)[0]?.http as number);
      await waitFor(() => answers(`${first}/readyz`), {
        description: `Qdrant node 1 at ${first}, which node ${this.#node} joins`,
        timeoutMs: this.config.INFRA_READY_TIMEOUT_MS,
        intervalMs: 250,
      });
    }
  }

  protected launchSpec(): SpawnSpec {
    const peers = this.#clustered
      ? [
          '--uri',
          `http://127.0.0.1:${this.#ports.p2p}`,
          ...(this.#node > 1 ? ['--bootstrap', `http://127.0.0.1:${qdrantNodePorts(this.config)[0]?.p2p}`] : []),
        ]
      : [];
    return {
      command: this.config.QDRANT_BIN as string,
      args: ['--config-path', this.#configFile, ...peers],
      cwd: this.dataDir,
    };
  }

  /** Answers, and in a cluster knows every node as a peer: only then are collections placed on all of them. */
  async isReady(): Promise<boolean> {
    // Someone else's cluster (QDRANT_URL lists its nodes) serves while any of its nodes answers.
    if (this.external) {
      const nodes = await Promise.all(this.address.split(',').map((url) => answers(`${url.trim()}/readyz`)));
      return nodes.includes(true);
    }
    if (!(await answers(`${this.address}/readyz`))) return false;
    if (!this.#clustered) return true;
    try {
      const response = await fetch(`${this.address}/cluster`, { signal: AbortSignal.timeout(2_000) });
      const { result } = (await response.json()) as { result?: { peers?: Record<string, unknown> } };
      return Object.keys(result?.peers ?? {}).length >= this.config.INFRA_QDRANT_NODES;
    } catch {
      return false;
    }
  }

  get #configFile(): string {
    return join(this.dataDir, 'config.yaml');
  }
}

const urlOf = (port: number) => `http://127.0.0.1:${port}`;

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}
