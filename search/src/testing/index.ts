export { CATALOGUE_PRODUCTS, indexedCatalogue, startTestSearch, type TestSearch } from './test-search.js';
