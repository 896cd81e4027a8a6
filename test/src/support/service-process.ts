import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type CleanupContext, onCleanup, waitFor } from '@vsp/test-harness';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Node arguments that run an entry point from its TypeScript source, as tests and development do. */
export const FROM_SOURCE = ['--import', 'tsx', '--conditions=development'] as const;

/**
 * Runs one of our entry points (e.g. "processors/src/persistence/main.ts") as its own process, the
 * way systemd or `npm start` does: node itself, not the tsx CLI, so signals reach the service.
 * Killed after the test if still running.
 */
export function spawnService(
  t: CleanupContext,
  entry: string,
  env: Record<string, string>,
  stdout: 'ignore' | 'pipe' = 'ignore',
  args: readonly string[] = [],
): ChildProcess {
  const child = spawn(process.execPath, [...FROM_SOURCE, entry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'inherit'],
  });
  onCleanup(t, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Waits for a service spawned with stdout 'pipe' to end: its exit code and everything it printed. */
export async function outputUntilExit(child: ChildProcess): Promise<{ code: number | null; stdout: string }> {
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  // 'close', not 'exit': the last lines may still be in the pipe when the process exits.
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout };
}

export interface EntryRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of our command-line entry points (e.g. "processors/src/replay/replay-cli.ts") to the
 * end, as `npm run` would, with `env` added to ours. A non-zero exit is returned, not thrown.
 */
export function runEntry(
  entry: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<EntryRun> {
  return runToEnd(process.execPath, [...FROM_SOURCE, entry, ...args], { env });
}

/**
 * Runs `command` to the end in `cwd` (default: the checkout's root) with `env` added to ours, as a
 * user's shell would. A non-zero exit is returned, not thrown.
 */
export function runToEnd(
  command: string,
  args: readonly string[],
  { cwd = repoRoot, env = {}, timeoutMs = 0 }: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<EntryRun> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Sum of a processor's visual_search_processor_events_total, read from its own /metrics. */
export async function handledEvents(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^visual_search_processor_events_total\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

/**
 * Waits until the processor serving /metrics on `port` has handled `count` events (any outcome;
 * a process still starting counts 0), and returns how many it had by then.
 */
export function untilHandled(
  port: number,
  count: number,
  { description = `${count} events handled`, timeoutMs = 120_000 }: { description?: string; timeoutMs?: number } = {},
): Promise<number> {
  return waitFor(
    async () => {
      const handled = await handledEvents(port).catch(() => 0);
      return handled >= count && handled;
    },
    { description, timeoutMs, intervalMs: 20 },
  );
}
