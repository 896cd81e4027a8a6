import { type CleanupContext, createVectorIndex } from '@vsp/test-harness';
import { IndexVersions } from '../store/index-versions.js';

/** Versions behind a fresh alias on the real Qdrant; the test's collections are deleted afterwards. */
export async function createTestVersions(t: CleanupContext): Promise<IndexVersions> {
  const { qdrantUrl, alias } = await createVectorIndex(t);
  return IndexVersions.connect({ QDRANT_URL: qdrantUrl, VECTOR_ALIAS: alias });
}
