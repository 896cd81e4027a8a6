import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InfraConfig } from '../config.js';
import { ToolMissingError } from '../errors.js';
import { LocalService } from '../local-service.js';
import type { SpawnSpec } from '../managed-process.js';

/**
 * Qdrant, when the index is to live in one: run from the server binary at QDRANT_BIN (no registry
 * ships a Qdrant server, so nothing is downloaded), or left to whoever runs the one at QDRANT_URL.
 */
export class QdrantService extends LocalService {
  readonly name = 'qdrant';

  constructor(
    config: InfraConfig,
    private readonly binary: string | undefined,
  ) {
    super(config, 'qdrant', 'QDRANT_URL', 'INFRA_QDRANT_PORT');
  }

  override async checkPrerequisites(): Promise<void> {
    if (!this.binary || !existsSync(this.binary)) {
      throw new ToolMissingError(
        `the Qdrant server (QDRANT_BIN=${this.binary})`,
        'set QDRANT_BIN to a qdrant server binary, QDRANT_URL to a running Qdrant, or neither for the embedded index',
      );
    }
  }

  protected async install(): Promise<void> {}

  protected async prepare(): Promise<void> {
    const port = this.config.INFRA_QDRANT_PORT;
    writeFileSync(
      this.#configFile,
      [
        'storage:',
        `  storage_path: ${join(this.dataDir, 'storage')}`,
        `  snapshots_path: ${join(this.dataDir, 'snapshots')}`,
        'service:',
        '  host: 127.0.0.1',
        `  http_port: ${port}`,
        `  grpc_port: ${port + 1}`,
        'telemetry_disabled: true',
        '',
      ].join('\n'),
    );
  }

  protected launchSpec(): SpawnSpec {
    return { command: this.binary as string, args: ['--config-path', this.#configFile], cwd: this.dataDir };
  }

  async isReady(): Promise<boolean> {
    try {
      return (await fetch(`${this.endpoint}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
      return false;
    }
  }

  get #configFile(): string {
    return join(this.dataDir, 'config.yaml');
  }
}
