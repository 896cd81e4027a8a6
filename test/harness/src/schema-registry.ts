import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ensureInfra } from './infra.js';
import { type CleanupContext, onCleanup } from './test-context.js';
import { uniqueName } from './unique-name.js';

export async function createSchemaRegistry(): Promise<SchemaRegistry> {
  const { schemaRegistryUrl } = await ensureInfra();
  return new SchemaRegistry({ host: schemaRegistryUrl });
}

/** Deletes the subject (soft, then permanently) when the test ends. */
export async function deleteSubjectAfter(t: CleanupContext, subject: string): Promise<void> {
  const { schemaRegistryUrl } = await ensureInfra();
  onCleanup(t, async () => {
    const url = `${schemaRegistryUrl}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE' });
    await fetch(`${url}?permanent=true`, { method: 'DELETE' });
  });
}

/** A subject name for one test, removed from the registry when the test ends. */
export async function uniqueSubject(t: CleanupContext): Promise<string> {
  const subject = uniqueName('test-subject');
  await deleteSubjectAfter(t, subject);
  return subject;
}
