import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import type { HealthReport, HealthServer } from './health-server.js';

/** A consumer runtime, or something that runs one (the embedding processor following its alias). */
export interface Processor {
  start(): Promise<void>;
  close(): Promise<void>;
  health(): HealthReport;
  onFatal(listener: (error: Error) => void): void;
}

export interface RunProcessorOptions {
  /** For log lines, e.g. "Persistence processor". */
  title: string;
  logger: Logger;
  processor: Processor;
  health: HealthServer;
  port: number;
  host: string;
  shutdownTimeoutMs: number;
  /** Closes what the processor wrote to (pool, store, model), after the consumer has left. */
  release?(): Promise<void>;
}

/**
 * A processor's process: serves /health and /metrics, starts consuming, and is the one place that
 * handles signals. Shutdown order: stop consuming (commit, leave the group), the health endpoint,
 * then `release`. A second signal, or the timeout, exits at once; a consumer that kafkajs gave up
 * restarting exits with 1 so the supervisor starts a fresh one.
 */
export async function runProcessor(options: RunProcessorOptions): Promise<void> {
  const { title, logger, processor, health } = options;
  closeWithGrace({ delay: options.shutdownTimeoutMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, `${title} stopping after an unexpected error`);
    else logger.info(`${title} stopping on ${signal}`);
    await processor.close();
    await health.close();
    await options.release?.();
    logger.info(`${title} stopped`);
    logger.flush();
  });
  processor.onFatal((error) => {
    logger.fatal({ err: error }, 'Kafka consumer crashed for good; exiting so the supervisor restarts us');
    process.exit(1);
  });
  await health.listen(options.port, options.host);
  await processor.start();
}
