import { Counter, Histogram } from 'prom-client';
import { ProcessorMetrics } from '../runtime/processor-metrics.js';

/** The runtime's metrics plus where the embedding time goes and where vectors come from. */
export class EmbeddingMetrics extends ProcessorMetrics {
  readonly stageSeconds = new Histogram({
    name: 'visual_search_embedding_stage_seconds',
    help: 'Time per stage: lookup and upsert per batch, fetch and decode per slice of INFERENCE_BATCH_MAX images, infer per model run',
    labelNames: ['processor', 'stage'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly imagesFetched = new Counter({
    name: 'visual_search_embedding_images_fetched_total',
    help: 'Images downloaded from the image host',
    labelNames: ['processor'] as const,
    registers: [this.registry],
  });
  readonly vectors = new Counter({
    name: 'visual_search_embedding_vectors_total',
    help: 'Vectors written, by source: embedded now, reused (the same image embedded before), placeholder (no image)',
    labelNames: ['processor', 'source'] as const,
    registers: [this.registry],
  });
}
