import type { FastifyPluginAsync } from 'fastify';
import type { VisualSearch } from '../visual-search.js';

/** GET /api/v1/health: the process answers. GET /api/v1/ready: a search would be answered now. */
export const healthRoutes: FastifyPluginAsync<{ search: VisualSearch }> = async (app, { search }) => {
  app.get('/api/v1/health', async () => ({ status: 'ok' }));
  app.get('/api/v1/ready', async (_request, reply) => {
    const readiness = await search.readiness();
    reply.code(readiness.ready ? 200 : 503);
    return readiness;
  });
};
