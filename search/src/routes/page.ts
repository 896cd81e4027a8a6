import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

const page = readFileSync(new URL('../page/index.html', import.meta.url));

/** GET /: the page a person tries the search with (plain HTML, CSS and JS, no build step). */
export const pageRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', async (_request, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache');
    return page;
  });
};
