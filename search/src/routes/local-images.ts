import { imageUrl, localImageResponse } from '@vsp/vector-index';
import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../errors.js';

export interface LocalImagesOptions {
  /** IMAGE_BASE_URL when it is a local folder (file:). */
  folder: URL;
  maxBytes: number;
}

/**
 * GET /images/<image_key>: the local image folder over HTTP, so that the page can show the
 * products' pictures when no image host is configured (`npm start` with `npm run demo`).
 */
export const localImageRoutes: FastifyPluginAsync<LocalImagesOptions> = async (app, { folder, maxBytes }) => {
  app.get<{ Params: { '*': string } }>('/images/*', async (request, reply) => {
    const key = request.params['*'];
    let response: Response;
    try {
      response = await localImageResponse(folder, imageUrl(folder.href, key), maxBytes);
    } catch {
      throw new NotFoundError(`no image ${key}`);
    }
    // Pictures only: whatever else the folder holds is not this route's to hand out.
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || response.body === null || !type.startsWith('image/')) {
      await response.body?.cancel();
      throw new NotFoundError(`no image ${key}`);
    }
    reply.type(type).header('cache-control', 'max-age=60');
    return Buffer.from(await response.arrayBuffer());
  });
};
