import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type InfraPorts, localAddresses, type ServiceAddressSetting, waitFor } from '@vsp/platform';
import type { InfraConfig } from './config.js';
import { ExternalUnreachableError, PortTakenError, StartFailedError } from './errors.js';
import { ManagedProcess, type SpawnSpec } from './managed-process.js';

export type ServiceState =
  | { kind: 'external'; endpoint: string }
  | { kind: 'ours'; endpoint: string; pid: number }
  | { kind: 'foreign'; endpoint: string }
  | { kind: 'stopped'; endpoint: string };

/**
 * The nodes of a service this checkout runs, as [id, node number] pairs: `nodes` of them, or only
 * the first when the service is external (it is then only probed). A single node keeps the plain
 * id (data folder, pid, log) it had before clusters existed; several are `<name>-<n>`.
 */
export function serviceNodes(name: string, nodes: number, external: boolean): [id: string, node: number][] {
  const all = Array.from({ length: nodes }, (_, i): [string, number] => [
    nodes === 1 ? name : `${name}-${i + 1}`,
    i + 1,
  ]);
  return external ? all.slice(0, 1) : all;
}

/**
 * One local dependency: how to install it, how to launch it, how to know it really answers.
 * The lifecycle (skip when external, reuse when answering, start, wait, stop by pid) lives here
 * once; each service fills in the parts that differ.
 */
export abstract class LocalService {
  abstract readonly name: string;
  /** The URL or address clients use. */
  readonly endpoint: string;
  /** True when the user set the address (environment or .env): a service we must not manage. */
  readonly external: boolean;

  protected readonly dataDir: string;
  protected readonly logFile: string;
  readonly #process: ManagedProcess;

  protected constructor(
    protected readonly config: InfraConfig,
    id: string,
    readonly addressSetting: ServiceAddressSetting,
    readonly portSetting: keyof InfraPorts,
    stopSignal?: NodeJS.Signals,
  ) {
    this.external = config[addressSetting] !== undefined;
    this.endpoint = config[addressSetting] ?? localAddresses(config)[addressSetting];
    this.dataDir = join(config.INFRA_HOME, 'data', id);
    this.logFile = join(config.INFRA_HOME, 'logs', `${id}.log`);
    this.#process = new ManagedProcess(
      join(config.INFRA_HOME, 'run', `${id}.pid`),
      this.logFile,
      // Every command line we launch names a path inside INFRA_HOME, which no other process's does.
      config.INFRA_HOME,
      stopSignal,
    );
  }

  /** A line about a long step (a download), on standard error so that command output stays clean. */
  protected progress(line: string): void {
    console.error(`infra: ${this.name}: ${line}`);
  }

  /**
   * What the service needs that nothing here fetches (a JDK, a server binary), checked for every
   * service before any of them downloads anything, so a missing tool is reported in seconds.
   */
  async checkPrerequisites(): Promise<void> {}
  /** Fetches or installs what is missing; a no-op when everything is cached. */
  protected abstract install(): Promise<void>;
  /** One-time data preparation (format storage, initdb); must be idempotent. */
  protected abstract prepare(): Promise<void>;
  protected abstract launchSpec(): SpawnSpec;
  /** Resolves true only when the service answers real requests. */
  abstract isReady(): Promise<boolean>;
  /** Deletes what the service keeps outside INFRA_HOME, if anything (infra:wipe). */
  async wipeOutside(): Promise<void> {}
  /** Runs once the service is ready (create a database, say); must be idempotent. */
  protected async afterReady(): Promise<void> {}

  /** Where this process listens: the endpoint, unless it is one member of what the endpoint names. */
  get address(): string {
    return this.endpoint;
  }

  async state(): Promise<ServiceState> {
    if (this.external) return { kind: 'external', endpoint: this.endpoint };
    const pid = this.#process.pid();
    if (pid !== undefined) return { kind: 'ours', endpoint: this.address, pid };
    if (await this.isReady()) return { kind: 'foreign', endpoint: this.address };
    return { kind: 'stopped', endpoint: this.address };
  }

  /**
   * Starts the service unless it runs already. Refuses a port that answers without being ours:
   * silently using it joined other checkouts' consumer groups and databases.
   */
  async up(): Promise<ServiceState> {
    const before = await this.state();
    if (before.kind === 'foreign')
      throw new PortTakenError(this.name, this.address, this.portSetting, this.addressSetting, this.config.INFRA_HOME);
    if (before.kind === 'external' && !(await this.isReady()))
      throw new ExternalUnreachableError(this.name, this.endpoint, this.addressSetting);
    if (before.kind === 'stopped') {
      for (const dir of ['data', 'logs', 'run']) mkdirSync(join(this.config.INFRA_HOME, dir), { recursive: true });
      mkdirSync(this.dataDir, { recursive: true });
      await this.install();
      await this.prepare();
      this.#process.start(this.launchSpec());
      this.progress(`started, waiting until it answers at ${this.address}`);
    }
    if (before.kind !== 'external') {
      await this.#awaitReady();
      await this.afterReady();
    }
    return this.state();
  }

  async #awaitReady(): Promise<void> {
    let outcome: 'ready' | 'exited';
    try {
      outcome = await waitFor(
        async () => (this.#process.pid() === undefined ? 'exited' : (await this.isReady()) && 'ready'),
        {
          description: `${this.name} at ${this.address}`,
          timeoutMs: this.config.INFRA_READY_TIMEOUT_MS,
          intervalMs: 250,
        },
      );
    } catch (error) {
      throw new StartFailedError(this.name, this.logFile, error);
    }
    if (outcome === 'exited') throw new StartFailedError(this.name, this.logFile);
  }

  /** Stops the process only if we started it. */
  down(): Promise<boolean> {
    return this.#process.stop();
  }
}
