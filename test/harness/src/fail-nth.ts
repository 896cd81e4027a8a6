import { type CleanupContext, onCleanup } from './test-context.js';

export interface FailingCalls {
  /** Calls made so far, failed ones included. */
  readonly calls: number;
}

type AsyncMethodKey<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

/**
 * Makes chosen calls of an async method fail, the way a dependency fails mid-flight: the calls
 * numbered in `nth` (1-based, counted from now) reject with `error` without reaching the method;
 * every other call goes through. The method is restored when the test ends.
 */
export function failNth<T extends object, K extends AsyncMethodKey<T>>(
  t: CleanupContext,
  target: T,
  method: K,
  nth: number | readonly number[],
  error: Error,
): FailingCalls {
  const original = target[method] as (...args: unknown[]) => Promise<unknown>;
  const failing = new Set(typeof nth === 'number' ? [nth] : nth);
  const counter = { calls: 0 };
  const replacement = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    counter.calls++;
    return failing.has(counter.calls) ? Promise.reject(error) : original.apply(this, args);
  };
  Object.assign(target, { [method]: replacement });
  onCleanup(t, () => void Object.assign(target, { [method]: original }));
  return counter;
}
