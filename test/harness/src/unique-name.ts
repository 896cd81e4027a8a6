import { randomUUID } from 'node:crypto';

/** A name no other test, run or developer will pick: topic, group, subject or SQL schema. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}
