import { registryRequest } from './registry-request.js';

/** What the registry holds for one version of a subject. */
export interface RegisteredSchema {
  subject: string;
  version: number;
  id: number;
  schema: string;
}

/**
 * Whether the registry would accept `schemaText` as the subject's next version under its
 * compatibility rule (BACKWARD): `undefined` when nothing is registered yet (anything goes).
 */
export async function checkCompatibility(
  registryUrl: string,
  subject: string,
  schemaText: string,
): Promise<{ compatible: boolean; messages: string[] } | undefined> {
  const answer = await registryRequest(
    `${registryUrl}/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
    'POST',
    { schema: schemaText },
    [404, 409, 422],
  );
  if (answer.status === 404) return undefined;
  if (answer.status === 409 || answer.status === 422) return { compatible: false, messages: [answer.text] };
  const { is_compatible, messages = [] } = answer.json as { is_compatible: boolean; messages?: string[] };
  return { compatible: is_compatible, messages };
}

/** A registered version (`latest` by default), or undefined when the subject or version does not exist. */
export async function registeredSchema(
  registryUrl: string,
  subject: string,
  version: number | 'latest' = 'latest',
): Promise<RegisteredSchema | undefined> {
  const answer = await registryRequest(
    `${registryUrl}/subjects/${encodeURIComponent(subject)}/versions/${version}`,
    'GET',
    undefined,
    [404],
  );
  return answer.status === 404 ? undefined : (answer.json as RegisteredSchema);
}
