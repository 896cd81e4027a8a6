import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
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
  /** The cluster's folder: the data folder, unless the postgres user cannot reach it (see prepare). */
  #clusterDir = this.dataDir;

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

  /**
   * As root, PostgreSQL runs as the postgres user, which must pass through every folder above its
   * cluster. A checkout in a private folder (a root user's home, `mktemp -d`: mode 0700) stops it;
   * nothing outside the checkout is changed to let it through: the cluster goes to the postgres
   * user's home instead, one folder per INFRA_HOME, with a link to it in INFRA_HOME/data.
   */
  protected async prepare(): Promise<void> {
    this.#runAs = await postgresUser();
    if (this.#runAs) {
      const closed = closedFolder(this.dataDir, this.#runAs);
      if (closed) {
        this.#clusterDir = await this.#clusterOutside();
        mkdirSync(dirname(this.#clusterDir), { recursive: true, mode: 0o755 });
        mkdirSync(this.#clusterDir, { recursive: true, mode: 0o700 });
        const link = join(this.dataDir, 'cluster');
        if (!existsSync(link)) symlinkSync(this.#clusterDir, link);
        this.progress(
          `the postgres user cannot pass through ${closed} (closed to others), so its cluster is in ${this.#clusterDir}; infra:wipe deletes it`,
        );
      }
      chownSync(this.#clusterDir, this.#runAs.uid, this.#runAs.gid);
    }
    if (existsSync(join(this.#clusterDir, 'PG_VERSION'))) return;
    await runCommand(
      join(this.#bin, 'initdb'),
      ['-D', this.#clusterDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale'],
      { runAs: this.#runAs, cwd: this.#clusterDir },
    );
  }

  override async wipeOutside(): Promise<void> {
    if ((await postgresUser().catch(() => undefined)) === undefined) return;
    rmSync(await this.#clusterOutside(), { recursive: true, force: true });
  }

  /** A folder of this INFRA_HOME's in the postgres user's home (Debian: /var/lib/postgresql). */
  async #clusterOutside(): Promise<string> {
    const home = (await runCommand('getent', ['passwd', 'postgres'])).trim().split(':')[5];
    if (!home) throw new InstallFailedError('PostgreSQL', 'the postgres user has no home folder');
    const id = createHash('sha256').update(this.config.INFRA_HOME).digest('hex').slice(0, 16);
    return join(home, 'visual-search-pipeline', id);
  }

  protected launchSpec(): SpawnSpec {
    return {
      command: join(this.#bin, 'postgres'),
      args: [
        '-D',
        this.#clusterDir,
        '-p',
        String(this.config.INFRA_POSTGRES_PORT),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${this.#clusterDir}`,
        '-c',
        'max_connections=200',
        // Names INFRA_HOME on the command line, by which infra knows the process is its own,
        // also when the cluster lives outside it. PostgreSQL keeps any `prefix.name` setting.
        '-c',
        `visual_search.infra_home=${this.config.INFRA_HOME}`,
      ],
      cwd: this.#clusterDir,
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

/** The first folder above `dir` that the user cannot pass through, or undefined when none stops it. */
function closedFolder(dir: string, user: RunAs): string | undefined {
  for (let current = dirname(dir); ; current = dirname(current)) {
    const { mode, uid, gid } = statSync(current);
    const passes = uid === user.uid ? mode & 0o100 : gid === user.gid ? mode & 0o010 : mode & 0o001;
    if (!passes) return current;
    if (dirname(current) === current) return undefined;
  }
}

async function postgresUser(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([runCommand('id', ['-u', 'postgres']), runCommand('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
