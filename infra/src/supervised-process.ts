import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface ProcessSpec {
  name: string;
  /** Compiled entry module, relative to `cwd`. */
  entry: string;
  /** Node and V8 options before the entry. */
  nodeArgs?: readonly string[];
  /** Arguments after the entry. */
  args?: readonly string[];
}

export interface SupervisionOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where restarts are reported. */
  report(line: string): void;
  /** First wait before a restart; doubles with each quick crash, up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A run this long counts as healthy: the next crash starts the backoff again from the beginning. */
  stableAfterMs?: number;
}

/**
 * One service of `npm start`, kept running the way systemd's `Restart=on-failure` keeps a unit:
 * an exit that nobody asked for is reported and followed by a restart after a backoff, while the
 * other services go on. Only `stop()` ends it.
 */
export class SupervisedProcess {
  readonly #spec: ProcessSpec;
  readonly #options: Required<SupervisionOptions>;
  #child: ChildProcess | undefined;
  #restarts = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopping: Promise<number | null> | undefined;

  constructor(spec: ProcessSpec, options: SupervisionOptions) {
    this.#spec = spec;
    this.#options = { initialBackoffMs: 1_000, maxBackoffMs: 30_000, stableAfterMs: 60_000, ...options };
  }

  start(): void {
    const startedAt = Date.now();
    const child = spawn(
      process.execPath,
      [...(this.#spec.nodeArgs ?? []), this.#spec.entry, ...(this.#spec.args ?? [])],
      {
        cwd: this.#options.cwd,
        stdio: 'inherit',
        // Own process group: Ctrl-C in the terminal reaches only the launcher, which passes on one
        // SIGTERM. A service that got both would take the second signal as "exit now".
        detached: true,
        env: this.#options.env,
      },
    );
    this.#child = child;
    this.#options.report(`pipeline: started ${this.#spec.name} (pid ${child.pid})`);
    child.once('exit', (code, signal) => {
      if (this.#stopping) return;
      if (Date.now() - startedAt >= this.#options.stableAfterMs) this.#restarts = 0;
      const { initialBackoffMs, maxBackoffMs } = this.#options;
      const wait = Math.min(maxBackoffMs, initialBackoffMs * 2 ** this.#restarts);
      this.#restarts++;
      this.#options.report(
        `pipeline: ${this.#spec.name} exited (${signal ?? `code ${code}`}); restart ${this.#restarts} in ${wait} ms, the other services keep running`,
      );
      this.#timer = setTimeout(() => this.start(), wait);
    });
  }

  /** Asks the service to drain and exit (SIGTERM) and resolves with its exit code. */
  stop(): Promise<number | null> {
    this.#stopping ??= (async () => {
      clearTimeout(this.#timer);
      const child = this.#child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return 0;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      this.#options.report(`pipeline: ${this.#spec.name} stopped (${signal ?? `code ${code}`})`);
      return code as number | null;
    })();
    return this.#stopping;
  }
}
