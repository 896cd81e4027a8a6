import { connect } from 'node:net';

/** How long a broker's port may take to accept before it counts as unreachable. */
const CONNECT_TIMEOUT_MS = 500;

/**
 * Whether a TCP connection to the broker's listener opens. The cluster's metadata cannot tell a
 * lost broker from a live one for seconds (until the controller fences it), or ever, when the
 * controllers lost their quorum with it; its closed port tells at once.
 */
export function brokerAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
