/** The part of node:test's TestContext the factories need: somewhere to register clean-up. */
export interface CleanupContext {
  after(fn: () => unknown | Promise<unknown>): void;
}

const stacks = new WeakMap<CleanupContext, (() => unknown)[]>();

/**
 * Registers clean-up that runs when the test ends, last registered first, the way resources
 * nest: node:test runs `after` hooks in registration order, which would delete a topic before
 * the consumer reading it has left.
 */
export function onCleanup(t: CleanupContext, fn: () => unknown | Promise<unknown>): void {
  let stack = stacks.get(t);
  if (!stack) {
    const fresh: (() => unknown)[] = [];
    stacks.set(t, fresh);
    t.after(async () => {
      for (const cleanup of fresh.reverse()) await cleanup();
    });
    stack = fresh;
  }
  stack.push(fn);
}
