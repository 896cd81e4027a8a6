import type { EmbeddingMetrics } from '@vsp/processors';

/**
 * Where an embedding processor's time went, as lines to print: each stage's total (stages overlap:
 * images are fetched and decoded while the model works), its time per observation, and how much
 * of the run the model was busy.
 */
export async function stageLines(metrics: EmbeddingMetrics, wallSeconds: number): Promise<string[]> {
  const { values } = await metrics.stageSeconds.get();
  const of = (suffix: string, stage: unknown) =>
    values.find((v) => (v as { metricName?: string }).metricName?.endsWith(suffix) && v.labels.stage === stage)
      ?.value ?? 0;
  const stages = [...new Set(values.map((v) => v.labels.stage))];
  const lines = stages.map((stage) => {
    const [sum, count] = [of('_sum', stage), of('_count', stage)];
    const each = count > 0 ? ` (${((sum / count) * 1000).toFixed(1)} ms × ${count})` : '';
    return `stage ${String(stage).padEnd(7)} ${sum.toFixed(2)} s${each}`;
  });
  lines.push(
    `inference busy ${((of('_sum', 'infer') / wallSeconds) * 100).toFixed(0)}% of the ${wallSeconds.toFixed(1)} s run`,
  );
  return lines;
}
