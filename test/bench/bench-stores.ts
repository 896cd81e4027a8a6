import { TEST_INDEX_STORES, type TestIndexStore } from '@vsp/test-harness';

/**
 * The stores the index benchmarks measure side by side: the embedded one, and Qdrant where one is
 * configured; `only` keeps one of them.
 */
export function benchStores(only?: TestIndexStore | undefined) {
  return TEST_INDEX_STORES.filter(
    ({ store, options }) => !('skip' in options && options.skip) && (only === undefined || store === only),
  );
}
