import { chmodSync, chownSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import type { InfraConfig } from '../config.js';
import { InstallFailedError, ToolMissingError } from '../errors.js';
import { LocalService } from '../local-service.js';
import type { SpawnSpec } from '../managed-process.js';
import { commandExists, type RunAs, runCommand } from '../run-command.js';

export const DATABASE_NAME = 'visual_search';

/**
 * A PostgreSQL cluster of our own (Debian's server binaries), on its own port so it never
 * collides with a system cluster. PostgreSQL refuses to run as root, so as root we run it as
 * the `postgres` user that Debian's package creates.
 */
export class PostgresService extends LocalService {
  readonly name = 'postgres';
  #binDir: string | undefined;
  #runAs: RunAs | undefined;

  constructor(config: InfraConfig) {
    // SIGINT is PostgreSQL's "fast" shutdown; SIGTERM would wait for every client to leave.
    super(config, 'postgres', 'DATABASE_URL', 'INFRA_POSTGRES_PORT', 'SIGINT');
  }

  override async checkPrerequisites(): Promise<void> {
    if (findServerBinDir()) return;
    if (process.getuid?.() !== 0 || !(await commandExists('apt-get'))) {
      throw new ToolMissingError(
        'PostgreSQL (server binaries under /usr/lib/postgresql)',
        'install the postgresql package, or set DATABASE_URL to a PostgreSQL of your own',
      );
    }
  }

  protected async install(): Promise<void> {
    this.#binDir = findServerBinDir();
    if (this.#binDir) return;
    try {
      await runCommand('apt-get', ['update', '-qq']);
      await runCommand('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (error) {
      throw new InstallFailedError('PostgreSQL', 'apt-get install postgresql failed', error);
    }
    this.#binDir = findServerBinDir();
    if (!this.#binDir) throw new InstallFailedError('PostgreSQL', 'apt-get succeeded but no server binaries appeared');
  }

  protected async prepare(): Promise<void> {
    this.#runAs = await postgresUser();
    if (this.#runAs) {
      chownSync(this.dataDir, this.#runAs.uid, this.#runAs.gid);
      letTraverse(dirname(this.dataDir), this.#runAs);
    }
    if (existsSync(join(this.dataDir, 'PG_VERSION'))) return;
    await runCommand(
      join(this.#bin, 'initdb'),
      ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale'],
      { runAs: this.#runAs, cwd: this.dataDir },
    );
  }

  protected launchSpec(): SpawnSpec {
    return {
      command: join(this.#bin, 'postgres'),
      args: [
        '-D',
        this.dataDir,
        '-p',
        String(this.config.INFRA_POSTGRES_PORT),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${this.dataDir}`,
        '-c',
        'max_connections=200',
      ],
      cwd: this.dataDir,
      runAs: this.#runAs,
    };
  }

  async isReady(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.#adminUrl, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }

  protected override async afterReady(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#adminUrl });
    await client.connect();
    try {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
      if (rowCount === 0) await client.query(`create database ${DATABASE_NAME}`);
    } finally {
      await client.end();
    }
  }

  /** The maintenance database, which exists before ours does. */
  get #adminUrl(): string {
    const url = new URL(this.endpoint);
    url.pathname = '/postgres';
    return url.toString();
  }

  get #bin(): string {
    if (!this.#binDir) throw new Error('install() must run before the PostgreSQL binaries are used');
    return this.#binDir;
  }
}

function findServerBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(root, versions[0], 'bin');
}

/**
 * The postgres user must be able to pass through every folder above its data folder. A checkout
 * in a private folder (a root user's home, `mktemp -d`: mode 0700) stops it there, and initdb
 * fails. Such folders get the execute bit for others: passing through, not listing or reading.
 */
function letTraverse(dir: string, user: RunAs): void {
  for (let current = dir; ; current = dirname(current)) {
    const { mode, uid, gid } = statSync(current);
    const passes = uid === user.uid ? mode & 0o100 : gid === user.gid ? mode & 0o010 : mode & 0o001;
    if (!passes) {
      chmodSync(current, (mode & 0o7777) | 0o001);
      console.error(`infra: ${current} was closed to the postgres user; added o+x so it can reach its data`);
    }
    if (dirname(current) === current) return;
  }
}

async function postgresUser(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([runCommand('id', ['-u', 'postgres']), runCommand('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
