import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runProcess } from '../core/system.js';
import { PgdrError } from '../core/errors.js';
import { versionedBinDirs } from '../pg/tools.js';
import { parseTarget, type DbTarget } from '../pg/connection.js';
import { asServerUser, handToServerUser, isRoot, serverUserIds, traversableByAll } from '../pg/server-user.js';

/**
 * A throwaway PostgreSQL cluster on a free loopback port: for `pgdr drill --sandbox` and for the tests.
 * As root it runs as the `postgres` OS user, because initdb refuses root.
 */
export interface LocalCluster {
  port: number;
  dataDir: string;
  baseDir: string;
  password: string;
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  url: string;
  target(database?: string): DbTarget;
  urlFor(database: string): string;
  binDir: string;
  stop(options?: { mode?: 'fast' | 'immediate' }): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export interface ClusterOptions {
  /** Extra postgresql.conf lines, e.g. archive settings for PITR tests. */
  settings?: Record<string, string | number>;
  /** Durable settings (fsync on); off by default because throwaway clusters need speed, not durability. */
  durable?: boolean;
  baseDir?: string;
}

export class ServerBinariesMissing extends PgdrError {}

export function findServerBinDir(): string {
  for (const { dir } of versionedBinDirs()) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new ServerBinariesMissing('The PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found.', {
    hint: 'Install them: sudo apt-get install postgresql (Debian/Ubuntu) or brew install postgresql (macOS). pgdr looks on PATH and in /usr/lib/postgresql/<version>/bin.',
  });
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** As root the server runs as `postgres`, which cannot enter a private TMPDIR (0700): then a parent it can enter, or /tmp. */
export function clusterParentDir(): string {
  const dir = tmpdir();
  if (!isRoot() || traversableByAll(dir)) return dir;
  const parents: string[] = [];
  for (let d = dirname(resolve(dir)); dirname(d) !== d; d = dirname(d)) parents.push(d);
  return [...parents, '/tmp', '/var/tmp'].find(traversableByAll) ?? dir;
}

export async function startLocalCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  const binDir = findServerBinDir();
  if (isRoot()) {
    try {
      serverUserIds();
    } catch {
      throw new ServerBinariesMissing(
        'Running as root, but there is no "postgres" OS user to run the throwaway cluster as.',
        {
          hint: 'Create one (useradd -r postgres) or run pgdr as a normal user.',
        },
      );
    }
  }
  const baseDir = options.baseDir ?? mkdtempSync(join(clusterParentDir(), 'pgdr-cluster-'));
  chmodSync(baseDir, 0o700);
  handToServerUser(baseDir);
  const dataDir = join(baseDir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(baseDir, 'pwfile');
  writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  handToServerUser(pwfile);
  const [cmd, args] = asServerUser(join(binDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--pwfile',
    pwfile,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  await runProcess(cmd, args);
  rmSync(pwfile, { force: true });
  const port = await freePort();
  const settings: Record<string, string | number> = {
    listen_addresses: "'127.0.0.1'",
    port,
    unix_socket_directories: `'${baseDir}'`,
    max_connections: 60,
    shared_buffers: "'64MB'",
    ...(options.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  const conf = Object.entries(settings)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
  const confPath = join(dataDir, 'postgresql.auto.conf');
  writeFileSync(confPath, readFileSync(confPath, 'utf8') + '\n' + conf + '\n');

  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const cluster: LocalCluster = {
    port,
    dataDir,
    baseDir,
    password,
    url,
    binDir,
    urlFor: (db) => `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(db)}`,
    target: (db = 'postgres') => parseTarget(cluster.urlFor(db), 'sandbox'),
    start: async () => {
      const [c, a] = asServerUser(join(binDir, 'pg_ctl'), [
        '-D',
        dataDir,
        '-l',
        join(baseDir, 'server.log'),
        '-w',
        '-t',
        '60',
        'start',
      ]);
      await runProcess(c, a);
    },
    stop: async ({ mode = 'fast' } = {}) => {
      const [c, a] = asServerUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', 'stop']);
      await runProcess(c, a).catch(() => {});
    },
    destroy: async () => {
      await cluster.stop({ mode: 'immediate' });
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
