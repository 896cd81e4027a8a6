import { QdrantClient } from '@qdrant/js-client-rest';
import { type CleanupContext, createVectorIndex } from '@vsp/test-harness';
import { IndexVersions } from '../embedding/vector-store/index-versions.js';

/** Versions behind a fresh alias on the real Qdrant; the test's collections are deleted afterwards. */
export async function createTestVersions(t: CleanupContext): Promise<IndexVersions> {
  const { qdrantUrl, alias } = await createVectorIndex(t);
  return new IndexVersions(new QdrantClient({ url: qdrantUrl, checkCompatibility: false }), alias);
}
