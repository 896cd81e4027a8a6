import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInfraConfig } from '@vsp/infra';
import { ensureInfra } from './infra.js';
import { type CleanupContext, onCleanup } from './test-context.js';
import { uniqueName } from './unique-name.js';

export type TestIndexStore = 'embedded' | 'qdrant';

export interface TestVectorIndex {
  store: TestIndexStore;
  /** The test's own alias; whatever it makes behind it goes after the test. */
  alias: string;
  /** Where the index is, as settings: what a service process or a config loader takes. */
  env: { VECTOR_STORE: TestIndexStore; VECTOR_ALIAS: string } & ({ QDRANT_URL: string } | { VECTOR_DATA_DIR: string });
}

/** Why a test on Qdrant skips on this machine, or false when a Qdrant server is configured. */
export function skipWithoutQdrant(): string | false {
  const { QDRANT_BIN, QDRANT_URL } = loadInfraConfig();
  return QDRANT_BIN || QDRANT_URL
    ? false
    : 'needs a Qdrant server: set QDRANT_BIN (a qdrant binary infra runs) or QDRANT_URL';
}

/**
 * Each store the index runs on, for tests that must hold on both: a title, and test options
 * that skip Qdrant where none is configured. The embedded store runs everywhere.
 */
export const TEST_INDEX_STORES = [
  { store: 'embedded', title: 'the embedded store', options: {} },
  { store: 'qdrant', title: 'Qdrant', options: { skip: skipWithoutQdrant() } },
] as const satisfies readonly { store: TestIndexStore; title: string; options: { skip?: string | false } }[];

/**
 * A fresh index of the test's own: an embedded store in a folder removed afterwards (the default,
 * as on a fresh clone), or a fresh alias on the Qdrant infra runs, whose collections are deleted
 * afterwards. `store` is a VECTOR_STORE value, so factories pass on what their overrides set.
 */
export async function createVectorIndex(t: CleanupContext, store: string = 'embedded'): Promise<TestVectorIndex> {
  if (store !== 'embedded' && store !== 'qdrant') throw new Error(`VECTOR_STORE ${store} is not embedded or qdrant`);
  const alias = uniqueName('products');
  if (store === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'vector-index-'));
    onCleanup(t, () => rmSync(dir, { recursive: true, force: true }));
    return { store, alias, env: { VECTOR_STORE: store, VECTOR_ALIAS: alias, VECTOR_DATA_DIR: dir } };
  }
  const { qdrantUrl } = await ensureInfra();
  if (!qdrantUrl) throw new Error(`this test ${skipWithoutQdrant()}`);
  onCleanup(t, async () => {
    const response = await fetch(`${qdrantUrl}/collections`);
    const { result } = (await response.json()) as { result: { collections: { name: string }[] } };
    for (const { name } of result.collections) {
      if (name.startsWith(`${alias}_`)) await fetch(`${qdrantUrl}/collections/${name}`, { method: 'DELETE' });
    }
  });
  return { store, alias, env: { VECTOR_STORE: store, VECTOR_ALIAS: alias, QDRANT_URL: qdrantUrl } };
}
