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

/** CPU seconds used so far by a process and its children (the ingress's workers). */
export function cpuSeconds(pid: number): number {
  const pids = execFileSync('ps', ['-o', 'pid=', '--pid', String(pid), '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return pids.reduce((sum, p) => {
    // Fields 14 and 15 of /proc/<pid>/stat, counted after the command name's closing parenthesis.
    const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return sum + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }, 0);
}

/** Resident memory of a process and all its children (the ingress's workers), in MB. */
export function residentMb(pid: number): number {
  const ps = execFileSync('ps', ['-o', 'rss=', '--pid', String(pid), '--ppid', String(pid)], { encoding: 'utf8' });
  return ps.split('\n').reduce((sum, line) => sum + (Number(line.trim()) || 0), 0) / 1024;
}
