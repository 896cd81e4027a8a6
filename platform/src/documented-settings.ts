import { existsSync, readFileSync } from 'node:fs';
import { repoRoot } from './repo-paths.js';

/** The settings reference: one table row per setting (or group of settings), its names first. */
export const configurationDocPath = `${repoRoot}docs/CONFIGURATION.md`;

/**
 * The setting names docs/CONFIGURATION.md lists, read from the first column of its tables;
 * undefined when the file is not there (an image without the docs). The shared `.env` file is
 * checked against them: a key nobody documented is a typo, and a setting is added by its
 * workspace's schema and its line there.
 */
export function documentedSettings(path = configurationDocPath): ReadonlySet<string> | undefined {
  if (!existsSync(path)) return undefined;
  const names = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const [, name] of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(name as string);
  }
  return names;
}
