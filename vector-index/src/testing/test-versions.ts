import { Type } from '@sinclair/typebox';
import { loadConfig } from '@vsp/platform';
import {
  type CleanupContext,
  createVectorIndex,
  onCleanup,
  type TestIndexStore,
  type TestVectorIndex,
} from '@vsp/test-harness';
import { vectorIndexSettings } from '../settings.js';
import { IndexVersions } from '../store/index-versions.js';

const IndexSettingsSchema = Type.Object(vectorIndexSettings);

/** The versions of an index the test made (see createVectorIndex), closed after the test. */
export function testVersionsOf(t: CleanupContext, index: TestVectorIndex): IndexVersions {
  const versions = IndexVersions.open(loadConfig(IndexSettingsSchema, { env: index.env }));
  onCleanup(t, () => versions.close());
  return versions;
}

/** Versions behind a fresh index of the test's own on `store`. */
export async function createTestVersions(
  t: CleanupContext,
  store: TestIndexStore = 'embedded',
): Promise<IndexVersions> {
  return testVersionsOf(t, await createVectorIndex(t, store));
}
