import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { serveClusterMetrics } from './cluster-metrics.js';

export interface WorkerPoolOptions {
  workers: number;
  logger: Logger;
  /** A worker that died is replaced after this long, so a crash loop does not spin. */
  restartDelayMs?: number;
}

/**
 * The ingress on every core: the primary forks `workers` copies of this process, which share
 * the listening port (the primary hands each new connection to the next worker) while each
 * keeps its own Kafka producer, and does nothing else itself but this:
 * - a worker killed by a signal (the OOM killer, an operator) is replaced;
 * - a worker that exits with an error (it cannot work as configured, or failed unexpectedly)
 *   stops the pool with its exit code, as a single ingress would exit, instead of looping: the
 *   supervisor (systemd, `npm start`) restarts the whole ingress;
 * - SIGTERM/SIGINT go to every worker, each drains and flushes as a single ingress does, and
 *   the primary exits once all have, with the worst exit code.
 */
export async function runWorkerPool({ workers, logger, restartDelayMs = 1_000 }: WorkerPoolOptions): Promise<number> {
  serveClusterMetrics();
  const live = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;
  let allExited: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allExited = resolve;
  });
  const stop = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const worker of live) worker.process.kill('SIGTERM');
    if (live.size === 0) allExited();
  };
  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping) {
        exitCode = Math.max(exitCode, code ?? 1);
        if (live.size === 0) allExited();
      } else if (code) {
        logger.fatal(`Ingress worker ${worker.process.pid} exited with code ${code}: stopping the others`);
        stop(code);
      } else {
        logger.error(`Ingress worker ${worker.process.pid} died (${signal ?? `exit ${code}`}): starting another`);
        setTimeout(() => stopping || fork(), restartDelayMs).unref();
      }
    });
  };
  for (let i = 0; i < workers; i++) fork();
  logger.info(`Ingress primary ${process.pid}: ${workers} workers`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      logger.info(`Ingress stopping on ${signal}: asking its workers to finish`);
      stop(0);
    });
  }
  await done;
  return exitCode;
}
