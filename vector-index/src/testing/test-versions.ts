import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CleanupContext, createVectorIndex, onCleanup, uniqueName } from '@vsp/test-harness';
import { IndexVersions } from '../store/index-versions.js';
import { LanceDbBackend } from '../store/lancedb-backend.js';

/** Versions behind a fresh alias on the real Qdrant; the test's collections are deleted afterwards. */
export async function createTestVersions(t: CleanupContext): Promise<IndexVersions> {
  const { qdrantUrl, alias } = await createVectorIndex(t);
  return IndexVersions.connect({ QDRANT_URL: qdrantUrl, VECTOR_ALIAS: alias });
}

/** Versions behind a fresh alias in an embedded store of the test's own, removed afterwards. */
export async function createEmbeddedTestVersions(t: CleanupContext): Promise<IndexVersions> {
  const dir = mkdtempSync(join(tmpdir(), 'vector-index-'));
  const versions = new IndexVersions(new LanceDbBackend(dir), uniqueName('products'));
  onCleanup(t, async () => {
    await versions.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return versions;
}

/** Each store the index can run on, by name, with a factory of test versions on it. */
export const TEST_BACKENDS = [
  ['Qdrant', createTestVersions],
  ['the embedded store', createEmbeddedTestVersions],
] as const;
