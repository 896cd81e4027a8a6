import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CleanupContext, onCleanup } from '@vsp/test-harness';

interface Served {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface ImageHost {
  /** IMAGE_BASE_URL for the processor. */
  baseUrl: string;
  put(key: string, body: Buffer, contentType?: string): void;
  answer(key: string, status: number): void;
  /** While down, every connection is dropped: what an outage looks like to the fetcher. */
  setDown(down: boolean): void;
  /** Every answer waits this long first, as a real image host across a network would. */
  setLatency(ms: number): void;
  /** How often each key was requested. */
  requests: Map<string, number>;
}

/** A real HTTP image host on loopback, serving what the test put there. Closed after the test. */
export async function startImageHost(t: CleanupContext): Promise<ImageHost> {
  const served = new Map<string, Served>();
  const requests = new Map<string, number>();
  let down = false;
  let latencyMs = 0;
  const server: Server = createServer((request, response) => {
    if (down) return void request.socket.destroy();
    const key = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname.replace(/^\/images\//, ''));
    requests.set(key, (requests.get(key) ?? 0) + 1);
    const entry = served.get(key) ?? { status: 404, contentType: 'text/plain', body: Buffer.from('not found') };
    const answer = () => {
      response.writeHead(entry.status, { 'content-type': entry.contentType, 'content-length': entry.body.length });
      response.end(entry.body);
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    t,
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/images/`,
    put: (key, body, contentType = 'image/jpeg') => served.set(key, { status: 200, contentType, body }),
    answer: (key, status) => served.set(key, { status, contentType: 'text/plain', body: Buffer.from(String(status)) }),
    setDown: (value) => {
      down = value;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    requests,
  };
}
