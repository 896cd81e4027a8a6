import { createServer } from 'node:net';

/** A loopback port nobody listens on right now, for a child process that must be told its port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A loopback port nobody listens on, whose next port is free too (Kafka's controller, Qdrant's gRPC). */
export function freePortPair(): Promise<number> {
  return freePortRange(2);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive free loopback ports (a Kafka cluster's brokers and controllers). */
export async function freePortRange(count: number): Promise<number> {
  for (;;) {
    const first = await freePort();
    if (first + count > 65535) continue;
    let free = true;
    for (let port = first + 1; free && port < first + count; port++) free = await isFree(port);
    if (free) return first;
  }
}
