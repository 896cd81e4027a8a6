import type { SearchFilter } from '@vsp/vector-index';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ImageMissingError, QueryInvalidError, QueryMediaTypeUnsupportedError } from '../errors.js';
import type { StageTimes, VisualSearch } from '../visual-search.js';

export interface SearchRoutesOptions {
  search: VisualSearch;
  maxK: number;
  maxImageBytes: number;
}

/** Image types a query may be; anything else is refused before decoding. */
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

type Query = Record<string, string | undefined>;

/**
 * POST /api/v1/search: an image (multipart field `image`, or the whole body as image/jpeg|png|webp)
 * and `k`, `category`, `currency`, `min_price`, `max_price` (query string or multipart fields).
 * GET /api/v1/products/:id/similar: the same, from the product's stored vector.
 * GET /api/v1/categories: the categories a filter can choose from, as the index holds them.
 */
export const searchRoutes: FastifyPluginAsync<SearchRoutesOptions> = async (app, { search, maxK, maxImageBytes }) => {
  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: maxImageBytes }, (_request, body, done) =>
    done(null, body),
  );

  app.post('/api/v1/search', { bodyLimit: maxImageBytes }, async (request, reply) => {
    const { image, fields } = await readQuery(request, maxImageBytes);
    const query = { ...(request.query as Query), ...fields };
    const { answer, stages } = await search.byImage(image, kOf(query, maxK), filterOf(query));
    request.server.searchMetrics.requests.inc({ route: '/api/v1/search', code: 'ok' });
    return reply.header('server-timing', serverTiming(stages)).send(answer);
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/api/v1/products/:id/similar', async (request, reply) => {
    const { answer, stages } = await search.similar(
      request.params.id,
      kOf(request.query, maxK),
      filterOf(request.query),
    );
    request.server.searchMetrics.requests.inc({ route: '/api/v1/products/:id/similar', code: 'ok' });
    return reply.header('server-timing', serverTiming(stages)).send(answer);
  });

  app.get('/api/v1/categories', async () => ({ categories: await search.categories() }));
};

/**
 * The stages' times as a Server-Timing header (`decode;dur=4.41, embed;dur=12.70, query;dur=3.08`):
 * a browser's developer tools show them beside the request, and a client can tell which stage a
 * slow search spent its time in.
 */
function serverTiming(stages: StageTimes): string {
  return Object.entries(stages)
    .map(([stage, ms]) => `${stage};dur=${ms.toFixed(2)}`)
    .join(', ');
}

/** The image and any other form fields of the request. */
async function readQuery(request: FastifyRequest, maxImageBytes: number): Promise<{ image: Buffer; fields: Query }> {
  if (Buffer.isBuffer(request.body)) return { image: request.body, fields: {} };
  if (!request.isMultipart()) {
    // A body Fastify parsed anyway (text, JSON) is not an image.
    if (request.body !== undefined && request.body !== null) {
      throw new QueryMediaTypeUnsupportedError(
        `send multipart/form-data or ${IMAGE_TYPES.join(', ')}, not ${request.headers['content-type']}`,
      );
    }
    throw new ImageMissingError('send an image: multipart field `image`, or an image body');
  }
  let image: Buffer | undefined;
  const fields: Query = {};
  for await (const part of request.parts({ limits: { fileSize: maxImageBytes, files: 1, fields: 10 } })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'image') {
        await part.toBuffer();
        continue;
      }
      if (!IMAGE_TYPES.includes(part.mimetype)) {
        throw new QueryMediaTypeUnsupportedError(
          `image is ${part.mimetype}; expected one of ${IMAGE_TYPES.join(', ')}`,
        );
      }
      image = await part.toBuffer();
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  if (!image || image.length === 0) throw new ImageMissingError('the multipart form has no `image` file');
  return { image, fields };
}

function kOf(query: Query, maxK: number): number {
  if (query.k === undefined || query.k === '') return 10;
  const k = Number(query.k);
  if (!Number.isInteger(k) || k < 1 || k > maxK)
    throw new QueryInvalidError(`k must be a whole number from 1 to ${maxK}`);
  return k;
}

function filterOf(query: Query): SearchFilter {
  const price = (name: 'min_price' | 'max_price') => {
    const text = query[name];
    if (text === undefined || text === '') return undefined;
    // The decimal comma is how prices are written in Russian and Kyrgyz.
    const value = Number(text.replace(',', '.'));
    if (!/^\d+([.,]\d+)?$/.test(text) || !Number.isFinite(value)) {
      throw new QueryInvalidError(`${name} must be a non-negative decimal number (1500.50 or 1500,50), not ${text}`);
    }
    return value;
  };
  const filter: SearchFilter = {
    category: query.category || undefined,
    currency: query.currency || undefined,
    minPrice: price('min_price'),
    maxPrice: price('max_price'),
  };
  if (filter.minPrice !== undefined && filter.maxPrice !== undefined && filter.minPrice > filter.maxPrice) {
    throw new QueryInvalidError('min_price is above max_price');
  }
  return filter;
}
