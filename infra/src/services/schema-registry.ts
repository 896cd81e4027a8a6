import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InfraConfig } from '../config.js';
import { InstallFailedError } from '../errors.js';
import { LocalService } from '../local-service.js';
import type { SpawnSpec } from '../managed-process.js';
import { runCommand } from '../run-command.js';
import { requireJava } from './kafka.js';

export const APICURIO_VERSION = '3.0.9';
const artifact = `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`;

/**
 * Apicurio Registry 3 (a Quarkus app from Maven Central), serving the Confluent-compatible API
 * under /apis/ccompat/v7. Its H2 database is a file under the data folder, not memory: the
 * schema ids inside Kafka records must still resolve after the registry restarts.
 */
export class SchemaRegistryService extends LocalService {
  readonly name = 'schema-registry';
  readonly #appDir: string;

  constructor(config: InfraConfig) {
    super(config, 'schema-registry', 'SCHEMA_REGISTRY_URL', 'INFRA_REGISTRY_PORT');
    this.#appDir = join(config.INFRA_CACHE_DIR, `apicurio-registry-${APICURIO_VERSION}`);
  }

  override checkPrerequisites(): Promise<void> {
    return requireJava({ andMaven: !existsSync(this.#runnerJar) });
  }

  protected async install(): Promise<void> {
    if (existsSync(this.#runnerJar)) return;
    this.progress(
      `fetching Apicurio Registry from Maven Central into ${this.config.INFRA_CACHE_DIR} (first start only)`,
    );
    const downloadDir = join(this.config.INFRA_CACHE_DIR, 'downloads');
    try {
      await runCommand(
        'mvn',
        ['-q', '-B', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${downloadDir}`],
        {
          cwd: this.config.INFRA_HOME,
        },
      );
      mkdirSync(this.#appDir, { recursive: true });
      await runCommand('tar', [
        '-xzf',
        join(downloadDir, `apicurio-registry-app-${APICURIO_VERSION}-all.tar.gz`),
        '-C',
        this.#appDir,
      ]);
    } catch (error) {
      throw new InstallFailedError(
        `Apicurio Registry ${APICURIO_VERSION}`,
        `mvn dependency:copy ${artifact} or tar failed`,
        error,
      );
    }
  }

  protected async prepare(): Promise<void> {}

  protected launchSpec(): SpawnSpec {
    // Settings as system properties: the data folder on the command line is how infra knows the
    // process for ours (see ManagedProcess), even when the jar comes from a shared INFRA_CACHE_DIR.
    return {
      command: 'java',
      args: [
        '-Xms128m',
        '-Xmx512m',
        '-Dquarkus.http.host=127.0.0.1',
        `-Dquarkus.http.port=${this.config.INFRA_REGISTRY_PORT}`,
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(this.dataDir, 'registry')};DB_CLOSE_ON_EXIT=FALSE`,
        '-jar',
        this.#runnerJar,
      ],
      cwd: this.dataDir,
    };
  }

  async isReady(): Promise<boolean> {
    try {
      const response = await fetch(`${this.endpoint}/subjects`, { signal: AbortSignal.timeout(2_000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  get #runnerJar(): string {
    return join(this.#appDir, `apicurio-registry-app-${APICURIO_VERSION}-runner.jar`);
  }
}
