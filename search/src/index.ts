export { buildSearchApp } from './app.js';
export { loadSearchConfig, type SearchConfig, SearchConfigSchema } from './config.js';
export * from './errors.js';
export { SearchMetrics } from './plugins/search-metrics.js';
export { createSearchService, type SearchService } from './search-service.js';
export { type SearchAnswer, type SearchResult, VisualSearch } from './visual-search.js';
