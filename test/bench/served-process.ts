import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/*
 * For benchmarks that run a service as production does: compiled (`dist/`), as its own process,
 * with what it spent read from the operating system.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** Runs a compiled entry point as its own process, as production does; stopped with SIGTERM by `stop`. */
export function serve(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: 'ignore',
    env: { ...process.env, ...env },
  });
  return {
    pid: child.pid as number,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

/** One `ps` column, as numbers, for a process and its children (the ingress's workers). */
function familyColumn(pid: number, column: 'pid' | 'rss'): number[] {
  return execFileSync('ps', ['-o', `${column}=`, '--pid', String(pid), '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((value) => value > 0);
}

/** CPU seconds used so far by a process and its children. */
export function cpuSeconds(pid: number): number {
  return familyColumn(pid, 'pid').reduce((sum, p) => {
    // Fields 14 and 15 of /proc/<pid>/stat, counted after the command name's closing parenthesis.
    const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return sum + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }, 0);
}

/** Resident memory of a process and its children, in MB. */
export function residentMb(pid: number): number {
  return familyColumn(pid, 'rss').reduce((sum, kb) => sum + kb, 0) / 1024;
}
