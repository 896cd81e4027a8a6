import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProcessorMetrics } from './processor-metrics.js';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'stopping';
  /** Why it is not ok, one sentence each, naming the dependency. */
  problems: string[];
  [detail: string]: unknown;
}

/**
 * On the processor's own port: GET /health (200 ok; 503 degraded or stopping, with the problems
 * named), GET /live (200 while the process runs: for a liveness probe, which must not restart a
 * processor that is only waiting for PostgreSQL), GET /metrics.
 */
export class HealthServer {
  readonly #server: Server;
  #closed: Promise<void> | undefined;

  constructor(metrics: ProcessorMetrics, report: () => HealthReport) {
    this.#server = createServer(async (request, response) => {
      if (request.method === 'GET' && request.url === '/health') {
        const body = report();
        response.writeHead(body.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      } else if (request.method === 'GET' && request.url === '/live') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":"live"}');
      } else if (request.method === 'GET' && request.url === '/metrics') {
        response.writeHead(200, { 'content-type': metrics.registry.contentType });
        response.end(await metrics.registry.metrics());
      } else {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            code: 'NOT_FOUND',
            message: `no route ${request.method} ${request.url?.split('?')[0]}: GET /health, /live or /metrics`,
          }),
        );
      }
    });
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, resolve);
    });
    return (this.#server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.#closed ??= new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closed;
  }
}
