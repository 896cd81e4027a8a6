import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ensureInfra } from './infra.js';
import { type CleanupContext, onCleanup } from './test-context.js';
import { uniqueName } from './unique-name.js';

export async function createSchemaRegistry(): Promise<SchemaRegistry> {
  const { schemaRegistryUrl } = await ensureInfra();
  return new SchemaRegistry({ host: schemaRegistryUrl });
}

/** A subject name for one test; the subject is deleted (soft, then permanently) when the test ends. */
export async function uniqueSubject(t: CleanupContext): Promise<string> {
  const { schemaRegistryUrl } = await ensureInfra();
  const subject = uniqueName('test-subject');
  onCleanup(t, async () => {
    const url = `${schemaRegistryUrl}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE' });
    await fetch(`${url}?permanent=true`, { method: 'DELETE' });
  });
  return subject;
}
