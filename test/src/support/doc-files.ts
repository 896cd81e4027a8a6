import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './service-process.js';

/** The project's own documents, in reading order: the newcomer's page, docs/, then the root guides. */
export const DOC_FILES = [
  'README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .sort()
    .map((file) => `docs/${file}`),
  'TESTING.md',
  'DEPLOYMENT.md',
];

export const readDoc = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');

/** One command of a shell block as a user would paste it: continuation lines joined, its comment kept. */
export interface DocCommand {
  file: string;
  /** The line it starts on. */
  line: number;
  text: string;
}

/** The shell blocks (```sh, ```bash, ```shell) of a document, each as its commands. */
export function shellBlocks(file: string): DocCommand[][] {
  const blocks: DocCommand[][] = [];
  let fenced = false;
  let block: DocCommand[] | undefined;
  let pending: DocCommand | undefined;
  for (const [index, line] of readDoc(file).split('\n').entries()) {
    if (line.startsWith('```')) {
      if (block) blocks.push(block);
      fenced = !fenced;
      block = fenced && /^```(sh|bash|shell)\s*$/.test(line) ? [] : undefined;
      continue;
    }
    if (!block || (!pending && (line.trim() === '' || line.trimStart().startsWith('#')))) continue;
    const command = pending ?? { file, line: index + 1, text: '' };
    command.text += pending ? `\n${line}` : line;
    pending = line.endsWith('\\') ? command : undefined;
    if (!pending) block.push(command);
  }
  return blocks;
}

/** A command without its trailing comment: how the not-run list names it. */
export const withoutComment = (text: string): string => text.replace(/\s+#\s.*$/s, '').trim();
