import type { EmbeddingMetrics } from '@vsp/processors';

/** Where an embedding processor's batch time went, per stage, as lines to print. */
export async function stageLines(metrics: EmbeddingMetrics): Promise<string[]> {
  const { values } = await metrics.stageSeconds.get();
  const sums = values.filter((v) => (v as { metricName?: string }).metricName?.endsWith('_sum'));
  const total = sums.reduce((sum, v) => sum + v.value, 0);
  return sums.map(
    (v) =>
      `  stage ${String(v.labels.stage).padEnd(7)} ${v.value.toFixed(2)} s (${((v.value / total) * 100).toFixed(0)}%)`,
  );
}
