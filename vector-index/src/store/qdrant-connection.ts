import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { QdrantClient } from '@qdrant/js-client-rest';
import { SinkRejectedError, SinkUnavailableError } from '@vsp/platform';
import { JsonBody } from './json-body.js';

/**
 * The Qdrant nodes at QDRANT_URL (one URL, or several separated by commas: the nodes of one
 * cluster, any of which answers for all). Calls go to one node; when it gives no answer, or fails
 * on its side (5xx: a node that has just restarted answers 500 to reads that reach its replicas
 * before they are loaded), the same call goes to the next, until every node has been tried. Every
 * call we make may be sent twice: reads, and writes that set a point, an alias or a collection to
 * a given state.
 */
export class QdrantConnection {
  readonly urls: readonly string[];
  readonly #apiKey: string | undefined;
  readonly #clients: readonly QdrantClient[];
  /** The node that answered last; concurrent calls share it. */
  #current = 0;

  constructor(urls: string, apiKey?: string | undefined) {
    this.urls = urls.split(',').map((url) => url.trim());
    this.#apiKey = apiKey;
    this.#clients = this.urls.map((url) => createQdrantClient(url, apiKey));
  }

  get description(): string {
    return this.urls.length === 1 ? `Qdrant at ${this.urls[0]}` : `the Qdrant cluster at ${this.urls.join(', ')}`;
  }

  /**
   * Runs one request on a node that answers, classifying its failure: Qdrant's own refusals (4xx
   * but timeouts and throttling) would fail again however often they were retried, so they are
   * permanent; anything else (no node answered, 5xx, 408, 429) may pass later.
   */
  async call<R>(work: (client: QdrantClient, url: string) => Promise<R>): Promise<R> {
    let failure: unknown;
    for (let tried = 0; tried < this.#clients.length; tried++) {
      const node = this.#current;
      try {
        return await work(this.#clients[node] as QdrantClient, this.urls[node] as string);
      } catch (error) {
        failure = error;
        if (!NODE_DOWN.has(qdrantStatus(error))) break;
        // Only the first of the calls that found this node down moves the others on.
        if (this.#current === node) this.#current = (node + 1) % this.#clients.length;
      }
    }
    throw classified(failure);
  }

  /**
   * One call of Qdrant's REST API, its body and answer plain JSON, on a node that answers (as
   * `call`); its `result`. For the calls that carry vectors: the js client parses every answer
   * with a reviver (to keep integer ids beyond 2^53 exact, where JSON.rawJSON exists, as on
   * Node 24), called once per number, which made reading 64 points of 1280 dimensions take 41 ms
   * against 8 ms with a plain parse, and writing them 34 ms against 19 ms (a probe of both on
   * the same collection, 2026-12-05). Our point ids are UUIDs, never such integers. A body that
   * carries many vectors comes written already (`JsonBody`). Sent with node:http on a keep-alive
   * agent rather than fetch: 3,000 searches in a row took p99 4.4–5.1 ms against 5.9–6.9 ms
   * through fetch, Qdrant's own time being the same (docs/PERFORMANCE.md, Search).
   */
  async request<R>(method: 'POST' | 'PUT', path: string, body: JsonBody | object): Promise<R> {
    const payload = body instanceof JsonBody ? body.bytes : Buffer.from(JSON.stringify(body));
    const headers = {
      'content-type': 'application/json',
      'content-length': String(payload.length),
      ...UNCOMPRESSED,
      ...(this.#apiKey ? { 'api-key': this.#apiKey } : {}),
    };
    return this.call(async (_client, url) => {
      const { status, text } = await send(new URL(`${url}${path}`), { method, headers }, payload);
      const answer = parsed(text) as { result?: R; status?: { error?: string } } | undefined;
      if (status < 200 || status >= 300) {
        throw Object.assign(new Error(answer?.status?.error ?? `HTTP ${status}`), { status });
      }
      return answer?.result as R;
    });
  }
}

/**
 * Keeps connections to the nodes open between requests. An idle one is closed after 4 s, before
 * Qdrant's HTTP server (actix-web, 5 s by default) closes it, so that a request does not go out
 * on a connection the server is closing.
 */
const KEEP_ALIVE = { keepAlive: true, timeout: 4_000 };
const httpAgent = new HttpAgent(KEEP_ALIVE);
const httpsAgent = new HttpsAgent(KEEP_ALIVE);

/** One HTTP request; its status and body. Rejects without a status when no answer came. */
function send(
  target: URL,
  options: { method: string; headers: Record<string, string> },
  payload: Uint8Array,
): Promise<{ status: number; text: string }> {
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      { ...options, agent: secure ? httpsAgent : httpAgent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Undefined: no answer at all. */
const NODE_DOWN = new Set([undefined, 500, 502, 503, 504]);

function classified(error: unknown): Error {
  const status = qdrantStatus(error);
  const message = `Qdrant answered ${status ?? 'nothing'}: ${(error as Error).message}`;
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new SinkRejectedError(message, { cause: error });
  }
  return new SinkUnavailableError(message, { cause: error });
}

/** The HTTP status Qdrant answered with, read from the client's error or from our error around it. */
export function qdrantStatus(error: unknown): number | undefined {
  const { status, cause } = (error ?? {}) as { status?: unknown; cause?: unknown };
  if (typeof status === 'number') return status;
  return cause === undefined ? undefined : qdrantStatus(cause);
}

/**
 * Asked of every answer: Node's fetch offers gzip, and a compressed answer of a few kilobytes (a
 * search's payloads) reached it 45 ms late on loopback against 2–4 ms uncompressed
 * (`npm run bench -- --only search`: query p50 39 ms before, on 100,000 points).
 */
const UNCOMPRESSED = { 'accept-encoding': 'identity' };

/** A client of the Qdrant node at `url`, asking for uncompressed answers. */
function createQdrantClient(url: string, apiKey?: string | undefined): QdrantClient {
  return new QdrantClient({
    url,
    checkCompatibility: false,
    headers: UNCOMPRESSED,
    ...(apiKey ? { apiKey } : {}),
  });
}
