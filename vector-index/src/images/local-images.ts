import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
};

/**
 * Answers a `file:` image URL the way a web server would: 200 with a content type from the file's
 * extension, 404 when it is missing, and an over-`maxBytes` file announced by its length without
 * being read. An IMAGE_BASE_URL of file:///some/folder/ (the default: this checkout's data/images)
 * thereby goes through exactly the checks an image host does.
 *
 * Only what lies inside `folder` is served, judged by real path: a symbolic link out of it, and a
 * hidden file or folder (`.env`, `.git/`), answer 404 like a file that is not there.
 */
export async function localImageResponse(folder: URL, url: URL, maxBytes: number): Promise<Response> {
  const path = fileURLToPath(url);
  const headers = { 'content-type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream' };
  try {
    const root = await realpath(fileURLToPath(folder));
    const inside = relative(root, await realpath(path));
    if (inside.startsWith('..') || inside.split(sep).some((segment) => segment.startsWith('.'))) {
      return new Response(null, { status: 404 });
    }
    const { size, isFile } = await stat(path).then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) return new Response(null, { status: 404 });
    if (size > maxBytes) return new Response(null, { headers: { ...headers, 'content-length': String(size) } });
    return new Response(await readFile(path), { headers });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Response(null, { status: 404 });
    throw error;
  }
}
