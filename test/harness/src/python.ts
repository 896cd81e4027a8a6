import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadInfraConfig } from '@vsp/infra';

const run = promisify(execFile);
let ready: Promise<string> | undefined;

/** Pinned: the independent client the data teams would use. */
const PACKAGES = ['confluent-kafka[avro]==2.16.1'];

/**
 * A Python virtualenv under INFRA_HOME with Confluent's client, created on first use (PyPI) and
 * reused after. Returns the interpreter's path.
 */
export function confluentPython(): Promise<string> {
  ready ??= (async () => {
    const venv = join(loadInfraConfig().INFRA_HOME, 'python');
    const python = join(venv, 'bin', 'python');
    if (!existsSync(join(venv, '.installed'))) {
      await run('python3', ['-m', 'venv', venv]);
      await run(python, ['-m', 'pip', 'install', '--quiet', ...PACKAGES]);
      await run('touch', [join(venv, '.installed')]);
    }
    return python;
  })();
  return ready;
}
