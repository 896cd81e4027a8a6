import fp from 'fastify-plugin';

/**
 * Lets in-flight requests finish on close without waiting out keep-alive. Node closes only the
 * connections that are idle when close() starts; a connection busy then would stay open for the
 * keep-alive timeout after its answer. Answers sent while closing carry `Connection: close`, so
 * each such connection ends with its last response. (Fastify itself answers 503 to a new request
 * that arrives on an open connection while closing.)
 */
export const gracefulClosePlugin = fp(
  async (app) => {
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    // Callback style: this runs for every answer, and an async hook costs a promise each time.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'graceful-close' },
);
