import { pathToFileURL } from 'node:url';
import { Type } from '@sinclair/typebox';
import { LOG_FORMATS } from './logger.js';
import { repoRoot } from './repo-paths.js';

/**
 * Settings several processes read, defined once so that a name means the same thing, with the
 * same default, everywhere. Each service spreads the groups it needs into its own schema.
 */
export const eventLogSettings = {
  /** Default for both: this checkout's infrastructure (see service-addresses.ts). */
  KAFKA_BROKERS: Type.String({ minLength: 1 }),
  SCHEMA_REGISTRY_URL: Type.String({ minLength: 1 }),
  PRODUCT_EVENTS_TOPIC: Type.String({ default: 'product-events', minLength: 1 }),
};

/** Where product images are and how large one may be: the embedding processor fetches them, the
 * search service takes uploads and shows them, the demo writes them. */
export const imageSettings = {
  /**
   * Image URL = IMAGE_BASE_URL + image_key: BakaiMarket's image host, or a local folder as a
   * file: URL. The default, this checkout's data/images, is what `npm run demo` fills and what the
   * search service then serves at /images/.
   */
  IMAGE_BASE_URL: Type.String({ default: pathToFileURL(`${repoRoot}data/images/`).href, pattern: '^(https?|file)://' }),
  IMAGE_MAX_BYTES: Type.Integer({ default: 20 * 1024 * 1024, minimum: 1_024 }),
  /** Decoded size limit: a larger image is refused before decoding (decompression bombs). */
  IMAGE_MAX_PIXELS: Type.Integer({ default: 40_000_000, minimum: 1 }),
};

/** Where the search service listens and what it asks of callers: the service, and the demo that calls it. */
export const searchServiceSettings = {
  SEARCH_PORT: Type.Integer({ default: 8010, minimum: 0, maximum: 65535 }),
  SEARCH_HOST: Type.String({ default: '0.0.0.0' }),
  /** When set, every API request needs `Authorization: Bearer <key>` (the page asks for it). */
  SEARCH_API_KEY: Type.Optional(Type.String({ minLength: 16 })),
};

/** A circuit breaker on the dependency a service cannot work without. */
export const breakerSettings = {
  /** Once open, the breaker refuses at once for this long, then lets one probe through. */
  BREAKER_RESET_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  BREAKER_ERROR_PERCENT: Type.Integer({ default: 50, minimum: 1, maximum: 100 }),
  BREAKER_VOLUME_THRESHOLD: Type.Integer({ default: 3, minimum: 1 }),
};

export const loggingSettings = {
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** Standard output: `json` for machines, `text` (the daily files' line format) for people; `auto`: text on a terminal. */
  LOG_FORMAT: Type.Union(
    LOG_FORMATS.map((f) => Type.Literal(f)),
    { default: 'auto' },
  ),
  /** Daily seed-format files app_YYYY-MM-DD.log; empty string turns them off. */
  LOG_DIR: Type.String({ default: `${repoRoot}logs` }),
};

/** Graceful shutdown limit; a second signal exits at once. */
export const shutdownTimeout = (defaultMs: number) => ({
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: defaultMs, minimum: 100 }),
});
