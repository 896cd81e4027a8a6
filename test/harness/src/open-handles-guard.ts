/*
 * Loaded into every test process (`--import` in test:only). A test file whose tests have all
 * finished but whose process stays alive leaks something: a socket, a timer, a child process that
 * a close() forgot. Instead of hanging the run (or hiding the leak behind --test-force-exit), the
 * process reports what keeps it alive and fails.
 */
import { after } from 'node:test';

/** How long a finished test file may take to let go of its last handles (a client's final disconnect). */
const GRACE_MS = 15_000;
/** Failing a file this way is distinct from an assertion failure in the runner's summary. */
const LEAK_EXIT_CODE = 70;

after(() => {
  const timer = setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    console.error(
      `open-handles-guard: ${process.argv[1]} still runs ${GRACE_MS / 1000} s after its last test; what keeps it alive:\n` +
        handles.map((handle) => `  ${describe(handle)}`).join('\n'),
    );
    process.exit(LEAK_EXIT_CODE);
  }, GRACE_MS);
  // Unreferenced: in a process that ends normally this timer never fires.
  timer.unref();
});

function describe(handle: unknown): string {
  const h = handle as Record<string, unknown> & { constructor?: { name?: string } };
  const kind = h.constructor?.name ?? typeof handle;
  if (kind === 'Socket' || kind === 'TLSSocket') return `${kind} to ${h.remoteAddress}:${h.remotePort}`;
  if (kind === 'Server') return `Server on ${JSON.stringify((h as unknown as { address(): unknown }).address())}`;
  if (kind === 'ChildProcess')
    return `ChildProcess ${h.pid}: ${String((h.spawnargs as string[]).join(' ')).slice(0, 200)}`;
  if (kind === 'Timeout') return `Timeout every ${h._idleTimeout} ms: ${String(h._onTimeout).slice(0, 200)}`;
  return kind;
}
