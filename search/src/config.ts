import { type Static, Type } from '@sinclair/typebox';
import {
  dotenvPath,
  imageSettings,
  loadConfig,
  loggingSettings,
  searchServiceSettings,
  shutdownTimeout,
} from '@vsp/platform';
import { modelSettings, vectorIndexSettings } from '@vsp/vector-index';

export const SearchConfigSchema = Type.Object({
  ...searchServiceSettings,
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
