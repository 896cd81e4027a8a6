import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { UnauthorizedError } from '../errors.js';

/**
 * With a key configured, every /api/v1 request but health and readiness needs
 * `Authorization: Bearer <key>`, compared in constant time. The page itself is public; it asks
 * the person for the key when the API answers 401.
 */
export const apiKeyPlugin = fp<{ apiKey: string | undefined }>(
  async (app, { apiKey }) => {
    if (!apiKey) return;
    const expected = Buffer.from(`Bearer ${apiKey}`);
    const open = new Set(['/api/v1/health', '/api/v1/ready']);
    app.addHook('onRequest', async (request) => {
      const path = request.url.split('?')[0] as string;
      if (!path.startsWith('/api/') || open.has(path) || request.method === 'OPTIONS') return;
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError();
    });
  },
  { name: 'api-key' },
);
