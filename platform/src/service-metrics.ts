import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * Base of every process's metrics: a registry of its own (tests run several in one process)
 * with Node's default metrics under the process's prefix. Subclasses declare their metrics with
 * `registers: [this.registry]`.
 */
export abstract class ServiceMetrics {
  readonly registry = new Registry();

  constructor(prefix: string) {
    collectDefaultMetrics({ register: this.registry, prefix });
  }
}
