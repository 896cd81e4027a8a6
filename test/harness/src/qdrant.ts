import { ensureInfra } from './infra.js';
import { type CleanupContext, onCleanup } from './test-context.js';
import { uniqueName } from './unique-name.js';

export interface TestVectorIndex {
  qdrantUrl: string;
  /** The test's own alias; its collections are deleted after the test. */
  alias: string;
}

/** A fresh alias on the real Qdrant infra runs; whatever collections the test makes behind it go afterwards. */
export async function createVectorIndex(t: CleanupContext): Promise<TestVectorIndex> {
  const { qdrantUrl } = await ensureInfra();
  if (!qdrantUrl) {
    throw new Error('this test needs a Qdrant server: set QDRANT_BIN (a qdrant binary infra runs) or QDRANT_URL');
  }
  const alias = uniqueName('products');
  onCleanup(t, async () => {
    const response = await fetch(`${qdrantUrl}/collections`);
    const { result } = (await response.json()) as { result: { collections: { name: string }[] } };
    for (const { name } of result.collections) {
      if (name.startsWith(`${alias}_`)) await fetch(`${qdrantUrl}/collections/${name}`, { method: 'DELETE' });
    }
  });
  return { qdrantUrl, alias };
}
