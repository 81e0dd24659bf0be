import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { PgdrError } from '../../core/errors.js';
import { findOnPath, runProcess, startProcess, type RunningProcess } from '../../core/system.js';
import { versionedBinDirs } from '../../pg/tools.js';
import { asServerUser, isRoot, serverUserIds } from '../../pg/server-user.js';
import { withClient } from '../../pg/client.js';
import type { DbTarget } from '../../pg/connection.js';
import { sleep } from '../../core/sleep.js';

export class ServerNotInstalled extends PgdrError {}

/** The server programs of one PostgreSQL major: initdb, pg_ctl, postgres. */
export interface ServerBin {
  major: number;
  dir: string;
}

const PROGRAMS = ['initdb', 'pg_ctl', 'postgres'];

/** The bin directory of PostgreSQL `major` (Debian's /usr/lib/postgresql/<major>/bin, else PATH); refused when absent. */
export async function serverBinFor(major: number): Promise<ServerBin> {
  const has = (dir: string) => PROGRAMS.every((p) => existsSync(join(dir, p)));
  const versioned = versionedBinDirs().find((d) => d.major === major && has(d.dir));
  if (versioned) return versioned;
  const initdb = findOnPath('initdb');
  if (initdb) {
    const dir = initdb.slice(0, -'/initdb'.length);
    const said = await runProcess(initdb, ['--version']).catch(() => '');
    if (Number(/(\d+)(?:\.\d+)?/.exec(said.replace(/^.*?\)\s*/, ''))?.[1]) === major && has(dir)) return { major, dir };
  }
  const installed = versionedBinDirs()
    .filter((d) => has(d.dir))
    .map((d) => d.major);
  throw new ServerNotInstalled(
    `The PostgreSQL ${major} server is not installed here${installed.length ? ` (installed: ${installed.join(', ')})` : ''}.`,
    {
      hint: `Install it: apt-get install postgresql-${major} (Debian/Ubuntu; from apt.postgresql.org if your release lacks it), or restore into a newer installed major with --pg-version.`,
    },
  );
}

/** initdb: UTF8, peer for local sockets and scram-sha-256 over TCP; the superuser's password, if any, from a 0600 file. */
export async function initCluster(
  bin: ServerBin,
  dataDir: string,
  x: { superuser: string; pwfile?: string; signal: AbortSignal },
): Promise<void> {
  const [cmd, args] = tiedToPgdr(join(bin.dir, 'initdb'), 'SIGTERM', [
    '-D',
    dataDir,
    '-U',
    x.superuser,
    ...(x.pwfile ? ['--pwfile', x.pwfile] : []),
    '--auth-local=peer',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    // The whole directory is flushed once, after the load (initdb --sync-only).
    '--no-sync',
  ]);
  // Killed with pgdr, initdb removes what it wrote (its own signal handler): the directory is left as it was.
  await runProcess(cmd, args, { signal: x.signal, cwd: '/' });
}

/**
 * `bin args` as the server user (when root) with a parent-death signal, through util-linux's setpriv: it switches
 * user itself and then execs, so the program is pgdr's own child (runuser would stand between them, and a change of
 * user clears the signal) and gets `signal` when pgdr ends in any way, SIGKILL included. Without setpriv: as it is.
 */
export function tiedToPgdr(bin: string, signal: 'SIGTERM' | 'SIGQUIT', args: string[]): [string, string[]] {
  const setpriv = process.platform === 'linux' ? findOnPath('setpriv') : undefined;
  return setpriv ? [setpriv, [...asUser(), '--pdeathsig', signal, '--', bin, ...args]] : asServerUser(bin, args);
}

export const canTieToPgdr = (): boolean => process.platform === 'linux' && Boolean(findOnPath('setpriv'));

export interface LoadServer {
  proc: RunningProcess;
  /** Stops it: fast (a clean shutdown) or immediate (nothing kept: the cluster is thrown away anyway). */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** Whether the postmaster is tied to pgdr's life (SIGQUIT when pgdr dies, even by SIGKILL). */
  tied: boolean;
}

/**
 * Starts the postmaster for the load in the foreground, as pgdr's child, tied to it: SIGQUIT (immediate shutdown)
 * when pgdr ends in any way, SIGKILL included.
 */
export function startLoadServer(bin: ServerBin, dataDir: string, options: string[]): LoadServer {
  const [cmd, args] = tiedToPgdr(join(bin.dir, 'postgres'), 'SIGQUIT', ['-D', dataDir, ...options]);
  const proc = startProcess(cmd, args, { cwd: '/', killGraceMs: 60_000 });
  const stop = async (mode: 'fast' | 'immediate') => {
    const pid = proc.child.pid;
    if (pid === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    try {
      process.kill(pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    } catch {
      return;
    }
    await proc.done.catch(() => {});
  };
  return { proc, stop, tied: canTieToPgdr() };
}

function asUser(): string[] {
  if (!isRoot()) return [];
  const { uid, gid } = serverUserIds();
  return [`--reuid=${uid}`, `--regid=${gid}`, `--init-groups`];
}

/** Waits until the server accepts connections; fails at once when the postmaster exits, saying why. */
export async function waitReady(server: LoadServer, target: DbTarget, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    signal.throwIfAborted();
    if (server.proc.child.exitCode !== null || server.proc.child.signalCode !== null) {
      await server.proc.done;
      throw new PgdrError(`The new cluster's server exited while starting: ${server.proc.stderrTail().slice(-600)}`);
    }
    const up = await withClient(target, (c) => c.query('select 1')).then(
      () => true,
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline)
      throw new PgdrError(`The new cluster's server did not accept connections within 2 minutes.`, {
        hint: server.proc.stderrTail().slice(-600),
      });
    await sleep(100);
  }
}

/**
 * How the data directory is flushed after a load that flushed nothing: syncfs(2) of its filesystem (`sync -f`, one
 * call, as PostgreSQL's own recovery_init_sync_method=syncfs) where Linux reports write-back errors through it (5.8+);
 * else initdb --sync-only, an fsync of every file (slow where each fsync is: a new cluster has over a thousand).
 */
export function syncMethod(): 'syncfs' | 'fsync' {
  const [major = 0, minor = 0] = release().split('.').map(Number);
  const recentLinux = process.platform === 'linux' && (major > 5 || (major === 5 && minor >= 8));
  return recentLinux && findOnPath('sync') ? 'syncfs' : 'fsync';
}

/** The flush; initdb --sync-only also where pg_wal or a tablespace lies on another filesystem. */
export async function syncDataDir(bin: ServerBin, dataDir: string, signal: AbortSignal): Promise<void> {
  const elsewhere =
    lstatSync(join(dataDir, 'pg_wal')).isSymbolicLink() || readdirSync(join(dataDir, 'pg_tblspc')).length > 0;
  if (syncMethod() === 'syncfs' && !elsewhere) {
    await runProcess(findOnPath('sync')!, ['-f', dataDir], { signal, cwd: '/' });
    return;
  }
  const [cmd, args] = tiedToPgdr(join(bin.dir, 'initdb'), 'SIGTERM', ['--sync-only', '-D', dataDir]);
  await runProcess(cmd, args, { signal, cwd: '/' });
}

/** Starts the restored cluster for good (pg_ctl: detached, it stays up when pgdr ends), its early log in `logFile`. */
export async function startCluster(
  bin: ServerBin,
  dataDir: string,
  logFile: string,
  signal: AbortSignal,
): Promise<void> {
  const [cmd, args] = asServerUser(join(bin.dir, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '120', 'start']);
  await runProcess(cmd, args, { signal, cwd: '/' });
}

export async function stopCluster(bin: ServerBin, dataDir: string, mode: 'fast' | 'immediate'): Promise<void> {
  const [cmd, args] = asServerUser(join(bin.dir, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', 'stop']);
  await runProcess(cmd, args, { cwd: '/' }).catch(() => {});
}
