import type { FastifyInstance } from 'fastify';

/** Liveness (the process answers) and readiness (Kafka and the registry answer, breaker closed). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/health', async () => ({ status: 'healthy', service: 'visual-search-ingress' }));

  app.get('/api/v1/ready', async (_request, reply) => {
    const report = await app.eventLog.readiness();
    reply.code(report.ready ? 200 : 503);
    return report;
  });
}
