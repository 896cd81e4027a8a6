import { waitFor } from '@vsp/test-harness';
import type { ProcessorMetrics } from '../runtime/processor-metrics.js';

/** Resolves once the processor has handled `count` records in all (any outcome). */
export const waitForHandled =
  (metrics: ProcessorMetrics) =>
  (count: number, timeoutMs = 60_000): Promise<void> =>
    waitFor(async () => (await counterTotal(metrics, 'events')) >= count, {
      description: `${count} records handled`,
      timeoutMs,
      intervalMs: 50,
    }).then(() => undefined);

/** Sums a counter's samples, optionally only those whose labels match. */
export async function counterTotal(
  metrics: ProcessorMetrics,
  name: 'events' | 'deadLetters' | 'retries',
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metrics[name].get();
  return values
    .filter((v) =>
      Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
    )
    .reduce((sum, v) => sum + v.value, 0);
}
