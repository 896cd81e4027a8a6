import { type Static, Type } from '@sinclair/typebox';
import { dotenvPath, loadConfig, loggingSettings, shutdownTimeout } from '@vsp/platform';
import { imageSettings, modelSettings, vectorIndexSettings } from '@vsp/processors';

export const SearchConfigSchema = Type.Object({
  SEARCH_PORT: Type.Integer({ default: 8010, minimum: 0, maximum: 65535 }),
  SEARCH_HOST: Type.String({ default: '0.0.0.0' }),
  /** When set, every API request needs `Authorization: Bearer <key>` (the page asks for it). */
  SEARCH_API_KEY: Type.Optional(Type.String({ minLength: 16 })),
  /** Origins allowed to call the API from a browser, comma-separated; empty: same origin only. */
  SEARCH_CORS_ORIGINS: Type.String({ default: '' }),
  /** Results one search may ask for. */
  SEARCH_MAX_K: Type.Integer({ default: 100, minimum: 1, maximum: 1000 }),
  ...imageSettings,
  ...modelSettings,
  ...vectorIndexSettings,
  ...loggingSettings,
  ...shutdownTimeout(10_000),
});

export type SearchConfig = Readonly<Static<typeof SearchConfigSchema>>;

export function loadSearchConfig(env?: Record<string, string | undefined>): SearchConfig {
  return loadConfig(SearchConfigSchema, env ? { env } : { dotenvPath });
}
