import { once } from 'node:events';
import { connect } from 'node:net';

/**
 * Sends `request` byte for byte (what fetch would refuse or encode: raw non-ASCII in the URL, a
 * broken header) to the server at `baseUrl` and reads the answer until the server closes.
 */
export async function rawHttpExchange(
  baseUrl: string,
  request: Buffer | string,
): Promise<{ status: number; body: string }> {
  const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.end(request);
  await once(socket, 'close');
  const answer = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body };
}
