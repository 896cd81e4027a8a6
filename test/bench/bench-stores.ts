import { TEST_INDEX_STORES } from '@vsp/test-harness';

/** The stores the index benchmarks measure side by side: the embedded one, and Qdrant where one is configured. */
export const BENCH_STORES = TEST_INDEX_STORES.filter(({ options }) => !('skip' in options && options.skip));
