import * as lancedb from '@lancedb/lancedb';

/**
 * Writes between two rounds of maintenance. Every write adds a fragment and a version to a
 * LanceDB table; LanceDB's advice is to optimise after about 20 of them.
 */
export const WRITES_PER_MAINTENANCE = 20;

/** Below this many points an exhaustive search is quick enough, and an ANN index would be trained on too little. */
export const ANN_INDEX_MIN_POINTS = 10_000;

/**
 * How long replaced files stay: a search another process began on an older version of the table
 * still finds its files.
 */
const KEEP_OLD_VERSIONS_MS = 5 * 60_000;

/**
 * Keeps a table quick to search: merges small fragments, removes files no version needs anymore
 * and adds new points to the vector index, if there is one. Writers do this every
 * WRITES_PER_MAINTENANCE writes.
 */
export async function compactTable(table: lancedb.Table): Promise<void> {
  await table.optimize({ cleanupOlderThan: new Date(Date.now() - KEEP_OLD_VERSIONS_MS) });
}

/**
 * Compacts the table and, once it holds ANN_INDEX_MIN_POINTS, builds its vector index: IVF-PQ,
 * cosine (searches score their best candidates again with the real vectors). Training it takes
 * a minute or more on a large table, so only a rebuild before it serves, or an operator, asks for
 * it, never a writer in the middle of the stream; until then searches are exhaustive.
 */
export async function optimizeTable(table: lancedb.Table): Promise<void> {
  await compactTable(table);
  const indexed = (await table.listIndices()).some((index) => index.columns.includes('vector'));
  if (!indexed && (await table.countRows()) >= ANN_INDEX_MIN_POINTS) {
    await table.createIndex('vector', { config: lancedb.Index.ivfPq({ distanceType: 'cosine' }) });
  }
}
