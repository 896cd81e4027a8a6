import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

// Our own messages between a worker and the primary; prom-client's carry its own types.
const REQUEST = 'vsp:metrics-request';
const REPLY = 'vsp:metrics-reply';
const REPLY_TIMEOUT_MS = 10_000;

interface Reply {
  type: typeof REPLY;
  id: number;
  text?: string;
  error?: string;
}

/**
 * In a worker: `registry` answers the primary's collection, and the returned function gives the
 * metrics of all workers together (counters and histograms summed, the breaker gauge the worst),
 * whichever worker the scrape reached.
 */
export function clusterMetricsSource(registry: Registry): () => Promise<string> {
  // Constructing one makes prom-client answer the primary's requests; it then reports `registry`.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  let next = 0;
  process.on('message', (message: Reply) => {
    if (message?.type !== REPLY) return;
    const request = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error === undefined) request?.resolve(message.text ?? '');
    else request?.reject(new Error(`metrics of the other workers: ${message.error}`));
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary did not answer for the metrics of the other workers'));
      }, REPLY_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      process.send?.({ type: REQUEST, id });
    });
}

/** In the primary: answers workers' requests with every worker's metrics, aggregated. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== REQUEST) return;
    const answer = (reply: Omit<Reply, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: REPLY, id: message.id, ...reply });
    };
    aggregator.clusterMetrics().then(
      (text) => answer({ text }),
      (error: Error) => answer({ error: error.message }),
    );
  });
}
