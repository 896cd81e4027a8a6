import { type ClientHttp2Session, connect, constants } from 'node:http2';

/**
 * Unary gRPC calls to one server over one HTTP/2 connection (node:http2; the chosen packages hold
 * no gRPC client). A failed call rejects with `status`: the HTTP status its gRPC status stands for
 * (so that the same rules as for Qdrant's REST answers classify it), or none when no answer came.
 */
export class GrpcChannel {
  #session: ClientHttp2Session | undefined;
  #active = 0;

  constructor(
    readonly url: string,
    private readonly metadata: Readonly<Record<string, string>> = {},
  ) {}

  /** Sends one message to `path` (`/package.Service/Method`); the answer's message. */
  async unary(path: string, message: Uint8Array): Promise<Buffer> {
    const session = this.#connected();
    this.#active++;
    session.ref();
    try {
      return await call(session, path, message, this.metadata);
    } finally {
      // An idle connection does not keep the process alive; a call in flight does.
      if (--this.#active === 0 && !session.destroyed) session.unref();
    }
  }

  close(): void {
    this.#session?.close();
    this.#session = undefined;
  }

  #connected(): ClientHttp2Session {
    if (this.#session && !this.#session.closed && !this.#session.destroyed) return this.#session;
    const session = connect(this.url, { settings: { initialWindowSize: WINDOW_BYTES } });
    // A connection the server or the network ends is dropped; the next call opens another.
    const forget = () => {
      if (this.#session === session) this.#session = undefined;
    };
    session.on('error', forget).on('goaway', forget).on('close', forget);
    // The connection's own window, beside each stream's: an answer of 64 vectors (400 kB) then
    // arrives without waiting for window updates.
    session.once('connect', () => session.setLocalWindowSize(WINDOW_BYTES));
    session.unref();
    this.#session = session;
    return session;
  }
}

/** Flow-control window per stream and per connection. */
const WINDOW_BYTES = 16 * 1024 * 1024;

function call(
  session: ClientHttp2Session,
  path: string,
  message: Uint8Array,
  metadata: Readonly<Record<string, string>>,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      te: 'trailers',
      ...metadata,
    });
    const chunks: Buffer[] = [];
    let status: { code: number; message: string } | undefined;
    const statusOf = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] === undefined) return;
      const text = headers['grpc-message'];
      status = {
        code: Number(headers['grpc-status']),
        message: typeof text === 'string' ? decodeURIComponent(text) : '',
      };
    };
    stream.on('response', (headers) => {
      const httpStatus = Number(headers[constants.HTTP2_HEADER_STATUS]);
      if (httpStatus !== 200) {
        stream.close();
        reject(Object.assign(new Error(`gRPC ${path} answered HTTP ${httpStatus}`), { status: httpStatus }));
      }
      statusOf(headers); // a call that fails at once answers with its status in the headers alone
    });
    stream.on('trailers', statusOf);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      if (!status) return reject(new Error(`gRPC ${path} ended without a status`));
      if (status.code !== GRPC_OK) {
        return reject(
          Object.assign(new Error(`${GRPC_CODE_NAMES[status.code] ?? status.code}: ${status.message}`), {
            status: HTTP_STATUS_OF_GRPC[status.code] ?? 500,
          }),
        );
      }
      try {
        resolve(unframed(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
    stream.end(framed(message));
  });
}

/** A gRPC message on the wire: not compressed (0), its length, its bytes. */
function framed(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

function unframed(body: Buffer): Buffer {
  if (body.length < 5) throw new Error('a gRPC answer came without a message');
  if (body[0] !== 0) throw new Error('a gRPC answer came compressed, which was not asked for');
  return body.subarray(5, 5 + body.readUInt32BE(1));
}

const GRPC_OK = 0;

const GRPC_CODE_NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

/**
 * The HTTP status each gRPC status stands for, as google.rpc.Code documents it; but a cancelled
 * call, 499 there, may pass when sent again.
 */
const HTTP_STATUS_OF_GRPC: Record<number, number> = {
  1: 503,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};
