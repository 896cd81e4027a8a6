import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { waitFor } from '@vsp/platform';
import type { RunAs } from './run-command.js';

export interface SpawnSpec {
  command: string;
  args: readonly string[];
  /** Added to the inherited environment. */
  extraEnv?: Record<string, string>;
  cwd?: string;
  runAs?: RunAs;
}

/**
 * A daemon we started, remembered by pid file. Stopping signals exactly that pid, never a
 * process found by name, so a developer's other Kafka or PostgreSQL is never touched.
 */
export class ManagedProcess {
  constructor(
    private readonly pidFile: string,
    private readonly logFile: string,
    /** Text that must appear in the process's command line, so a recycled pid is not mistaken for ours. */
    private readonly marker: string,
    private readonly stopSignal: NodeJS.Signals = 'SIGTERM',
  ) {}

  pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number.parseInt(readFileSync(this.pidFile, 'utf8'), 10);
    if (!Number.isInteger(pid) || !isAlive(pid) || !commandLine(pid).includes(this.marker)) return undefined;
    return pid;
  }

  start(spec: SpawnSpec): number {
    const log = openSync(this.logFile, 'a');
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.extraEnv },
        detached: true,
        stdio: ['ignore', log, log],
        ...spec.runAs,
      });
      if (child.pid === undefined) throw new Error(`could not spawn ${spec.command}`);
      child.unref();
      writeFileSync(this.pidFile, `${child.pid}\n`);
      return child.pid;
    } finally {
      closeSync(log);
    }
  }

  /** Returns true when a process of ours was running and is now gone. */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    const pid = this.pid();
    rmSync(this.pidFile, { force: true });
    if (pid === undefined) return false;
    process.kill(pid, this.stopSignal);
    try {
      await waitFor(() => !isAlive(pid), { description: `pid ${pid} to exit`, timeoutMs });
    } catch {
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), { description: `pid ${pid} to die`, timeoutMs: 5_000 });
    }
    return true;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie answers kill(0) but is already dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
