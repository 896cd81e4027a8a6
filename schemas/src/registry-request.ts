import { SchemaRegistryUnavailableError, SchemaRejectedError } from './errors.js';

export interface RegistryAnswer {
  status: number;
  text: string;
  /** The parsed body of a 2xx answer. */
  json: unknown;
}

/**
 * One request to the Confluent-compatible API. No answer or a 5xx is the registry being
 * unavailable (retriable); a 4xx other than those the caller `accepts` is a refusal.
 */
export async function registryRequest(
  url: string,
  method: 'GET' | 'POST' | 'PUT',
  body?: unknown,
  accepts: readonly number[] = [],
): Promise<RegistryAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new SchemaRegistryUnavailableError(`schema registry request ${method} ${url} failed`, { cause: error });
  }
  const text = await response.text();
  if (response.status >= 500)
    throw new SchemaRegistryUnavailableError(`schema registry answered ${response.status}: ${text}`);
  if (!response.ok && !accepts.includes(response.status)) {
    throw new SchemaRejectedError(`schema registry refused ${method} ${url} (${response.status}): ${text}`);
  }
  return { status: response.status, text, json: response.ok ? JSON.parse(text) : undefined };
}
