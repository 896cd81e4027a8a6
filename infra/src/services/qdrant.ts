import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InfraConfig } from '../config.js';
import { ToolMissingError } from '../errors.js';
import { LocalService } from '../local-service.js';
import type { SpawnSpec } from '../managed-process.js';

/**
 * Qdrant, the vector index, run from a server binary: QDRANT_BIN, by default the one the
 * workplace ships beside the checkout (`../shared/qdrant/qdrant`, built from Qdrant's public
 * source). The registries we can reach carry no Qdrant build, so nothing is downloaded here.
 */
export class QdrantService extends LocalService {
  readonly name = 'qdrant';

  constructor(config: InfraConfig) {
    super(config, 'qdrant', 'QDRANT_URL', 'INFRA_QDRANT_PORT');
  }

  protected async install(): Promise<void> {
    if (!existsSync(this.config.QDRANT_BIN)) {
      throw new ToolMissingError(
        `the Qdrant server (${this.config.QDRANT_BIN})`,
        'set QDRANT_BIN to a qdrant server binary, or QDRANT_URL to a running Qdrant',
      );
    }
  }

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
    return { command: this.config.QDRANT_BIN, args: ['--config-path', this.#configFile], cwd: this.dataDir };
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
