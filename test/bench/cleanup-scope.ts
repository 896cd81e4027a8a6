import type { CleanupContext } from '@vsp/test-harness';

/** The harness's factories outside a test: collects their clean-up and runs it on demand. */
export class CleanupScope implements CleanupContext {
  readonly #hooks: (() => unknown)[] = [];

  after(fn: () => unknown): void {
    this.#hooks.push(fn);
  }

  async close(): Promise<void> {
    for (const hook of this.#hooks.splice(0)) await hook();
  }
}
