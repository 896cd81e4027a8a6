import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * FAKE — NOT QDRANT. An in-memory HTTP server that answers the Qdrant REST calls IndexVersions
 * makes to set up a version (collections, payload indexes, aliases) and a search, which finds
 * nothing (points go over gRPC, which it does not speak), and records them: a check of the request
 * shapes sent, answered in Qdrant's response shapes. Behaviour is proven against the real Qdrant
 * server (the contract suite and every embedding test run on it); this fake only shows what was
 * sent.
 */
interface FakeCollection {
  size: number;
  metadata: Record<string, unknown>;
  indexes: Map<string, string>;
}

class BadRequest extends Error {}

export class FakeQdrantServer {
  readonly collections = new Map<string, FakeCollection>();
  readonly aliases = new Map<string, string>();
  /** Every request received, for tests that check what was sent. */
  readonly requests: { method: string; path: string; body: unknown; headers: IncomingHttpHeaders }[] = [];
  readonly #server: Server;

  constructor() {
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
    this.requests.push({ method: request.method ?? '', path, body, headers: request.headers });
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
      this.collections.set(name, { size: vectors.size, metadata, indexes: new Map() });
      return true;
    }
    const collection = this.#collection(name);
    if (method === 'GET' && rest === '') {
      return {
        status: 'green',
        points_count: 0,
        config: { params: { vectors: { size: collection.size, distance: 'Cosine' } }, metadata: collection.metadata },
        payload_schema: Object.fromEntries(collection.indexes),
      };
    }
    if (method === 'PATCH' && rest === '') {
      Object.assign(collection.metadata, body?.metadata ?? {});
      return true;
    }
    if (method === 'DELETE' && rest === '') return this.collections.delete(name);
    if (method === 'PUT' && rest === '/index') {
      collection.indexes.set(required(body?.field_name, 'field_name'), required(body?.field_schema, 'field_schema'));
      return { operation_id: 1, status: 'completed' };
    }
    if (method === 'POST' && rest === '/points/search') {
      if (required(body?.vector, 'vector').length !== collection.size) throw new BadRequest('vector size mismatch');
      required(body.limit, 'limit');
      return [];
    }
    return undefined;
  }

  #collection(name: string): FakeCollection {
    const collection = this.collections.get(this.aliases.get(name) ?? name);
    if (!collection) throw new BadRequest(`Collection ${name} not found`);
    return collection;
  }
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === null) throw new BadRequest(`missing field ${field}`);
  return value;
}
