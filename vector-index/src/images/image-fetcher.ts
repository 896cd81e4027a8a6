import { createHash } from 'node:crypto';
import {
  ImageHostUnavailableError,
  ImageKeyInvalidError,
  ImageNotFoundError,
  ImageRefusedError,
  ImageTooLargeError,
} from '../errors.js';
import { localImageResponse } from './local-images.js';

export interface FetchedImage {
  bytes: Buffer;
  contentType: string;
  sha256: string;
}

export interface ImageFetcherOptions {
  /** IMAGE_BASE_URL; image URLs are this plus the image key (http(s), or file: for a local folder). */
  baseUrl: string;
  timeoutMs: number;
  maxBytes: number;
}

// A key is a relative path: no scheme, no leading slash or backslash, no "." or ".." segment,
// no control characters.
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const hasControlCharacter = (text: string) =>
  [...text].some((c) => (c.codePointAt(0) as number) < 0x20 || c === '\u007f');

export function imageUrl(baseUrl: string, imageKey: string): URL {
  if (
    imageKey === '' ||
    SCHEME.test(imageKey) ||
    /^[/\\]/.test(imageKey) ||
    imageKey.includes('\\') ||
    hasControlCharacter(imageKey)
  ) {
    throw new ImageKeyInvalidError(`image_key "${JSON.stringify(imageKey).slice(1, -1)}" is not a relative path`);
  }
  const segments = imageKey.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.' || segment === '')) {
    throw new ImageKeyInvalidError(`image_key "${imageKey}" has an empty, "." or ".." segment`);
  }
  return new URL(segments.map(encodeURIComponent).join('/'), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}

/**
 * Fetches a product image with a timeout, a byte cap and a content-type check. Errors come out
 * classified: 5xx, 408, 429, network errors and timeouts are transient; 404/410, other 4xx,
 * non-image types and oversize bodies are permanent.
 */
export class ImageFetcher {
  constructor(private readonly options: ImageFetcherOptions) {}

  async fetch(imageKey: string): Promise<FetchedImage> {
    const url = imageUrl(this.options.baseUrl, imageKey);
    let response: Response;
    try {
      response =
        url.protocol === 'file:'
          ? await localImageResponse(new URL(this.options.baseUrl), url, this.options.maxBytes)
          : await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs), redirect: 'follow' });
    } catch (error) {
      throw new ImageHostUnavailableError(`fetching ${url} failed: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel();
      const status = response.status;
      if (status >= 500 || status === 408 || status === 429)
        throw new ImageHostUnavailableError(`${url} answered ${status}`);
      if (status === 404 || status === 410) throw new ImageNotFoundError(`${url} answered ${status}`);
      throw new ImageRefusedError(`${url} answered ${status}`);
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('image/')) {
      await response.body?.cancel();
      throw new ImageRefusedError(`${url} is ${contentType || 'of no content type'}, not an image`);
    }
    const bytes = await this.#readCapped(response, url);
    return { bytes, contentType, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async #readCapped(response: Response, url: URL): Promise<Buffer> {
    const { maxBytes } = this.options;
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw new ImageTooLargeError(`${url} is ${declared} bytes, over the ${maxBytes}-byte cap`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body ?? []) {
        total += chunk.byteLength;
        if (total > maxBytes) throw new ImageTooLargeError(`${url} is over the ${maxBytes}-byte cap`);
        chunks.push(Buffer.from(chunk));
      }
    } catch (error) {
      await response.body?.cancel().catch(() => {});
      if (error instanceof ImageTooLargeError) throw error;
      throw new ImageHostUnavailableError(`reading ${url} failed: ${(error as Error).message}`, { cause: error });
    }
    return Buffer.concat(chunks);
  }
}
