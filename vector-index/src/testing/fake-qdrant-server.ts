import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * FAKE — NOT QDRANT. An in-memory HTTP server that answers the handful of Qdrant REST calls
 * QdrantVectorStore and IndexVersions make, and records them: a check of the request shapes the
 * real @qdrant/js-client-rest sends (required fields, vector sizes, UUID ids), answered in
 * Qdrant's response shapes. Behaviour is proven against the real Qdrant server (the contract
 * suite and every embedding test run on it); this fake only shows what was sent.
 */
interface FakePoint {
  id: string;
  vector: number[];
  payload: Record<string, unknown>;
}

interface FakeCollection {
  size: number;
  metadata: Record<string, unknown>;
  points: Map<string, FakePoint>;
  indexes: Map<string, string>;
}

class BadRequest extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class FakeQdrantServer {
  readonly collections = new Map<string, FakeCollection>();
  readonly aliases = new Map<string, string>();
  /** Every request received, for tests that check what was sent. */
  readonly requests: { method: string; path: string; body: unknown; headers: IncomingHttpHeaders }[] = [];
  readonly #server: Server;

  /** `record: false` keeps no request log (a benchmark sends too many to keep). */
  constructor(private readonly options: { record?: boolean } = {}) {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (this.options.record !== false) {
      this.requests.push({ method: request.method ?? '', path, body, headers: request.headers });
    }
    try {
      const result = this.#route(request.method ?? '', path, body);
      if (result === undefined)
        return this.#send(response, 404, { status: { error: `no fake route for ${request.method} ${path}` } });
      this.#send(response, 200, { result, status: 'ok', time: 0 });
    } catch (error) {
      this.#send(response, error instanceof BadRequest ? 400 : 500, { status: { error: (error as Error).message } });
    }
  }

  #send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  // biome-ignore lint/suspicious/noExplicitAny: untrusted JSON, checked field by field with required()
  #route(method: string, path: string, body: any): unknown {
    if (method === 'GET' && path === '/readyz') return 'all shards are ready';
    if (method === 'GET' && path === '/cluster') return { status: 'disabled' };
    if (method === 'GET' && path === '/aliases') {
      return { aliases: [...this.aliases].map(([alias_name, collection_name]) => ({ alias_name, collection_name })) };
    }
    if (method === 'POST' && path === '/collections/aliases') {
      for (const action of required(body?.actions, 'actions')) {
        if (action.delete_alias) {
          this.aliases.delete(required(action.delete_alias.alias_name, 'alias_name'));
          continue;
        }
        const create = required(action.create_alias, 'create_alias');
        this.#collection(required(create.collection_name, 'collection_name'));
        this.aliases.set(required(create.alias_name, 'alias_name'), create.collection_name);
      }
      return true;
    }
    if (method === 'GET' && path === '/collections') {
      return { collections: [...this.collections.keys()].map((name) => ({ name })) };
    }
    const match = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return undefined;
    const name = decodeURIComponent(match[1] as string);
    const rest = match[2] ?? '';
    if (method === 'GET' && rest === '/exists') return { exists: this.collections.has(name) };
    if (method === 'PUT' && rest === '') {
      const vectors = required(body?.vectors, 'vectors');
      if (!Number.isInteger(vectors.size) || vectors.distance !== 'Cosine')
        throw new BadRequest('vectors needs size and distance');
      const metadata = body.metadata ?? {};
      this.collections.set(name, { size: vectors.size, metadata, points: new Map(), indexes: new Map() });
      return true;
    }
    const collection = this.#collection(name);
    if (method === 'GET' && rest === '') {
      return {
        status: 'green',
        points_count: collection.points.size,
        config: { params: { vectors: { size: collection.size, distance: 'Cosine' } }, metadata: collection.metadata },
        payload_schema: Object.fromEntries(collection.indexes),
      };
    }
    if (method === 'PATCH' && rest === '') {
      Object.assign(collection.metadata, body?.metadata ?? {});
      return true;
    }
    if (method === 'DELETE' && rest === '') return this.collections.delete(name);
    if (method === 'POST' && rest === '/points/count') return { count: collection.points.size };
    if (method === 'PUT' && rest === '/index') {
      collection.indexes.set(required(body?.field_name, 'field_name'), required(body?.field_schema, 'field_schema'));
      return { operation_id: 1, status: 'completed' };
    }
    if (method === 'PUT' && rest === '/points') {
      for (const point of required(body?.points, 'points') as FakePoint[]) {
        if (typeof point.id !== 'string' || !UUID.test(point.id))
          throw new BadRequest(`point id ${point.id} is not a UUID`);
        if (!Array.isArray(point.vector) || point.vector.length !== collection.size)
          throw new BadRequest('vector size mismatch');
        collection.points.set(point.id, { id: point.id, vector: point.vector, payload: point.payload ?? {} });
      }
      return { operation_id: 1, status: 'completed' };
    }
    if (method === 'POST' && rest === '/points') {
      return (required(body?.ids, 'ids') as string[])
        .map((id) => collection.points.get(id))
        .filter((p) => p !== undefined)
        .map((p) => ({
          id: p.id,
          payload: body.with_payload ? p.payload : null,
          vector: body.with_vector ? p.vector : null,
        }));
    }
    if (method === 'POST' && rest === '/facet') {
      const key = required(body?.key, 'key') as string;
      const counts = new Map<unknown, number>();
      for (const { payload } of collection.points.values()) {
        if (passes(payload, body.filter ?? {}) && payload[key] != null) {
          counts.set(payload[key], (counts.get(payload[key]) ?? 0) + 1);
        }
      }
      const hits = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
      return { hits: hits.slice(0, body.limit ?? 10) };
    }
    if (method === 'POST' && rest === '/points/search') {
      const vector = required(body?.vector, 'vector') as number[];
      return [...collection.points.values()]
        .filter((p) => passes(p.payload, body.filter ?? {}))
        .map((p) => ({
          id: p.id,
          version: 0,
          score: cosine(vector, p.vector),
          payload: body.with_payload ? p.payload : null,
        }))
        .sort((a, b) => b.score - a.score)
        .slice(0, required(body.limit, 'limit'));
    }
    return undefined;
  }

  #collection(name: string): FakeCollection {
    const collection = this.collections.get(this.aliases.get(name) ?? name);
    if (!collection) throw new BadRequest(`Collection ${name} not found`);
    return collection;
  }
}

interface Condition {
  key: string;
  match?: { value: unknown };
  range?: { gte?: number | null; lte?: number | null };
}

/** Qdrant's `must` / `must_not` with `match` and `range` conditions, the ones our store sends. */
function passes(payload: Record<string, unknown>, filter: { must?: Condition[]; must_not?: Condition[] }): boolean {
  const holds = ({ key, match, range }: Condition) => {
    const value = payload[key];
    if (match) return value === match.value;
    if (typeof value !== 'number') return false;
    return (range?.gte == null || value >= range.gte) && (range?.lte == null || value <= range.lte);
  };
  return (filter.must ?? []).every(holds) && !(filter.must_not ?? []).some(holds);
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === null) throw new BadRequest(`missing field ${field}`);
  return value;
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / (Math.sqrt(na * nb) || 1);
}
