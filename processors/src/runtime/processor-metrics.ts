import { ServiceMetrics } from '@vsp/platform';
import { Counter, Gauge, Histogram } from 'prom-client';

export type EventOutcome = 'applied' | 'stale' | 'dead_lettered';

/** What every processor reports, labelled with the processor's name. */
export class ProcessorMetrics extends ServiceMetrics {
  readonly events = new Counter({
    name: 'visual_search_processor_events_total',
    help: 'Events handled, by type and outcome (applied, stale = older than what the sink holds, dead_lettered)',
    labelNames: ['processor', 'event_type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'visual_search_processor_batch_size',
    help: 'Records per Kafka batch',
    labelNames: ['processor'] as const,
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
    registers: [this.registry],
  });
  readonly batchDuration = new Histogram({
    name: 'visual_search_processor_batch_duration_seconds',
    help: 'Time to decode, write and commit one batch, retries included',
    labelNames: ['processor'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'visual_search_processor_dlq_total',
    help: 'Records sent to the dead-letter topic, by reason (error code)',
    labelNames: ['processor', 'reason'] as const,
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'visual_search_processor_retries_total',
    help: 'Transient failures retried, by dependency',
    labelNames: ['processor', 'dependency'] as const,
    registers: [this.registry],
  });
  readonly breaker = new Gauge({
    name: 'visual_search_processor_breaker_state',
    help: 'Circuit breaker per dependency: 0 closed, 1 half-open, 2 open (partitions paused)',
    labelNames: ['processor', 'dependency'] as const,
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'visual_search_processor_consumer_lag',
    help: "Records between the group's last committed one and the end of each partition this member holds, refreshed every HEALTH_CHECK_INTERVAL_MS",
    labelNames: ['processor', 'group', 'partition'] as const,
    registers: [this.registry],
  });
  readonly freshness = new Histogram({
    name: 'visual_search_processor_freshness_seconds',
    help: "From the ingress accepting an event (its received_at) to this processor's write of it being durable: a row in PostgreSQL, a searchable point",
    labelNames: ['processor'] as const,
    // Fine below 2 s, where a healthy pipeline's p99 lies, so that it can be read off.
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
}
