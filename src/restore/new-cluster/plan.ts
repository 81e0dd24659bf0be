import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { printable } from '../../core/printable.js';
import { isRoot, SERVER_OS_USER, traversableByAll, traversableByServerUser } from '../../pg/server-user.js';
import type { BackupManifest } from '../../backup/manifest.js';
import type { Repository } from '../../storage/index.js';
import { manifestTables } from '../../backup/manifest-tables.js';
import { resolveBackup } from '../source.js';
import { assertPortFree } from '../pitr/data-dir.js';
import type { PlanStep } from '../types.js';
import { defaultJobs } from '../plan.js';
import type { NewClusterRestore } from '../request.js';
import { assertNewClusterDir, MARKER } from './marker.js';
import { canTieToPgdr, serverBinFor, syncMethod, type ServerBin } from './server.js';
import { clusterSettings, type ClusterSetting } from './settings.js';

export interface NewClusterPlan {
  backup: { id: string; database: string; snapshotTime: string; bytes: number; tables: number; serverMajor: number };
  dataDir: string;
  port: number;
  major: number;
  binDir: string;
  database: string;
  superuser: string;
  jobs: number;
  /** The cluster's Unix socket directory once restored. */
  socketDir: string;
  /** The postgresql.conf template for after the load, when the operator gave one. */
  template?: string;
  /** Whether the load's postmaster gets SIGQUIT when pgdr dies (setpriv --pdeathsig). */
  tiedToPgdr: boolean;
  /** How the data directory is flushed after the load (server.ts syncMethod). */
  sync: 'syncfs' | 'fsync';
  settings: ClusterSetting[];
  steps: PlanStep[];
}

export interface PreparedNewCluster {
  plan: NewClusterPlan;
  manifest: BackupManifest;
  repo: Repository;
  bin: ServerBin;
}

/** Where the load's private directory (socket, pg_hba.conf) goes: somewhere the server user can reach, short enough for a socket path. */
export function loadParent(): string {
  const dir = tmpdir();
  return (!isRoot() || traversableByAll(dir)) && dir.length < 60 ? dir : '/tmp';
}

/** Checks the request against the backup and this host (reading only) and lays out each step and setting. */
export async function planNewCluster(request: NewClusterRestore): Promise<PreparedNewCluster> {
  assertNewClusterDir(request.dataDir);
  if (!traversableByServerUser(nearestExisting(dirname(request.dataDir))))
    throw new UsageError(
      `The server runs as the ${SERVER_OS_USER} OS user, which cannot enter ${dirname(request.dataDir)}.`,
      `Give --new-cluster a directory under one ${SERVER_OS_USER} can enter (e.g. /var/lib/postgresql/…).`,
    );
  await assertPortFree(request.port);
  const { repo, manifest } = await resolveBackup(request.repo, request.ref, request.database);
  if (manifest.kind !== 'full' || manifest.supabase)
    throw new UsageError(
      `Backup ${manifest.id} is a ${manifest.supabase ? '--supabase' : manifest.kind} backup; --new-cluster restores a whole database's full backup.`,
      'Pick a full backup (pgdr backups list), or restore this one into a database with --new-db.',
    );
  if (['template0', 'template1'].includes(manifest.database))
    throw new UsageError(
      `Backup ${manifest.id} is of ${printable(manifest.database)}, which a new cluster already has.`,
    );
  const archiveMajor = manifest.server.major;
  const major = request.pgVersion ?? archiveMajor;
  if (major < archiveMajor)
    throw new UsageError(
      `--pg-version ${major} is older than the backup's server (PostgreSQL ${archiveMajor}): its dump may not load there.`,
      `Leave --pg-version out (PostgreSQL ${archiveMajor}) or give a newer major.`,
    );
  const bin = await serverBinFor(major);
  if (request.jobs !== undefined && (!Number.isInteger(request.jobs) || request.jobs < 1 || request.jobs > 64))
    throw new UsageError(`--jobs must be a whole number from 1 to 64.`);
  if (request.confTemplate && !existsSync(request.confTemplate))
    throw new UsageError(`The postgresql.conf template ${request.confTemplate} does not exist.`);
  const jobs = Math.max(1, request.jobs ?? defaultJobs());
  const socketDir = join(request.dataDir, '.s.PGSQL.00000').length < 100 ? request.dataDir : '/tmp';
  const settings = clusterSettings({
    port: request.port,
    loadDir: join(loadParent(), 'pgdr-load-XXXXXX'),
    socketDir,
    template: Boolean(request.confTemplate),
  });
  const superuser = request.superuser ?? 'postgres';
  const tiedToPgdr = canTieToPgdr();
  const plan: NewClusterPlan = {
    backup: {
      id: manifest.id,
      database: manifest.database,
      snapshotTime: manifest.snapshotTime,
      bytes: manifest.bytes,
      tables: manifestTables(manifest).length,
      serverMajor: archiveMajor,
    },
    dataDir: request.dataDir,
    port: request.port,
    major,
    binDir: bin.dir,
    database: manifest.database,
    superuser,
    jobs,
    socketDir,
    template: request.confTemplate,
    tiedToPgdr,
    sync: syncMethod(),
    settings,
    steps: [],
  };
  plan.steps = describeSteps(plan);
  return { plan, manifest, repo, bin };
}

function nearestExisting(dir: string): string {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

function describeSteps(p: NewClusterPlan): PlanStep[] {
  const initdb = join(p.binDir, 'initdb');
  return [
    {
      title: `Create ${p.dataDir} (0700) and a PostgreSQL ${p.major} cluster in it${p.major !== p.backup.serverMajor ? ` (the backup is of PostgreSQL ${p.backup.serverMajor})` : ''}`,
      command: `${initdb} -D ${p.dataDir} -U ${p.superuser} --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-sync`,
    },
    {
      title: `Mark it unusable until the end: ${MARKER} in it, which postgresql.conf includes so that no server starts on it`,
    },
    {
      title: `Start its server for the load with the load settings below, as command-line options only (never written to disk): no TCP, a private socket directory${p.tiedToPgdr ? '; tied to pgdr (SIGQUIT when pgdr ends, even by SIGKILL)' : ''}`,
      command: `${join(p.binDir, 'postgres')} -D ${p.dataDir} -c config_file=<private copy of initdb's postgresql.conf> -c fsync=off …`,
    },
    {
      title: `Restore backup ${p.backup.id} into a new database ${p.database} (${p.jobs} job(s)), ANALYZE, compare row counts with the manifest (${p.backup.tables} tables)`,
      command: 'pg_restore --exit-on-error --verbose --jobs … (as pgdr restore --new-db)',
    },
    { title: 'CHECKPOINT, then stop the server (fast shutdown)' },
    p.sync === 'syncfs'
      ? {
          title:
            'Flush the whole data directory to disk: syncfs(2) of its filesystem, one call (Linux 5.8+ reports write-back errors through it)',
          command: `sync -f ${p.dataDir}   (where a tablespace or pg_wal lies elsewhere: ${initdb} --sync-only -D ${p.dataDir})`,
        }
      : { title: 'Flush the whole data directory to disk', command: `${initdb} --sync-only -D ${p.dataDir}` },
    {
      title: `Write the settings for after the load into postgresql.conf (${p.template ? `the template ${p.template}, then port and socket directory` : "pgdr's safe defaults"}); pg_hba.conf: peer for local sockets, scram-sha-256 over TCP`,
    },
    {
      title: `Start it on port ${p.port} (pg_ctl; it stays up), check fsync and full_page_writes are on and count every table against the manifest`,
    },
    { title: `Remove ${MARKER}` },
  ];
}
