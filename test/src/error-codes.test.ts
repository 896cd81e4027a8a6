import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INFRA_ERROR_CODES } from '@vsp/infra';
import { INGRESS_ERROR_CODES } from '@vsp/ingress';
import { PLATFORM_ERROR_CODES } from '@vsp/platform';
import { PROCESSOR_ERROR_CODES } from '@vsp/processors';
import { SCHEMA_ERROR_CODES } from '@vsp/schemas';
import { SEARCH_ERROR_CODES } from '@vsp/search';
import { VECTOR_INDEX_ERROR_CODES } from '@vsp/vector-index';

const CATALOGUES = {
  platform: PLATFORM_ERROR_CODES,
  infra: INFRA_ERROR_CODES,
  schemas: SCHEMA_ERROR_CODES,
  ingress: INGRESS_ERROR_CODES,
  'vector-index': VECTOR_INDEX_ERROR_CODES,
  processors: PROCESSOR_ERROR_CODES,
  search: SEARCH_ERROR_CODES,
};

test('every error code should belong to one package, so that a code in a log, a DLQ header or an answer names one cause', () => {
  const owners = new Map<string, string[]>();
  for (const [name, codes] of Object.entries(CATALOGUES)) {
    for (const code of codes) owners.set(code, [...(owners.get(code) ?? []), name]);
  }

  assert.deepEqual(
    [...owners].filter(([, packages]) => packages.length > 1),
    [],
  );
});
