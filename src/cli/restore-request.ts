import { UsageError } from '../core/errors.js';
import type { EncryptionOption } from '../backup/archive.js';
import type { ArchiveKeys } from '../backup/archive.js';
import type { ThawOptions } from '../backup/thaw.js';
import type { DbTarget } from '../pg/connection.js';
import type { Repository } from '../storage/index.js';
import { parseRowsSpec } from '../restore/rows.js';
import type { BackupRestoreRequest, BackupSource, NewClusterRestore, RestoreContent } from '../restore/request.js';

/** The flags of `pgdr restore` that say what to restore and where (--pitr aside). */
export interface RestoreShapeFlags {
  newDb?: string;
  clean?: boolean;
  confirm?: string;
  safetySnapshot?: boolean;
  schemaOnly?: boolean;
  table?: string[];
  rows?: string;
  onConflict?: string;
  jobs?: string;
  intoSupabase?: boolean;
  dryRun?: boolean;
  newCluster?: string;
  pgVersion?: string;
  postgresqlConf?: string;
  port?: string;
}

/** What the command already resolved: the backup's repository, the server, the keys and the snapshot's encryption. */
export interface RestoreInputs {
  ref: string;
  repo?: Repository;
  target: DbTarget;
  keys: ArchiveKeys;
  /** How the safety snapshot is encrypted, when configured; asked only for a restore that takes one. */
  safetyEncryption: () => EncryptionOption | undefined;
  /** How archive files in GLACIER / DEEP_ARCHIVE are brought back first. */
  archive?: ThawOptions;
}

/** The restore the flags ask for, decided once; flags that contradict each other are refused here. */
export function restoreRequest(flags: RestoreShapeFlags, inputs: RestoreInputs): BackupRestoreRequest {
  const chosen = [
    flags.rows && '--rows',
    flags.table?.length && '--table',
    flags.schemaOnly && '--schema-only',
    flags.intoSupabase && '--into-supabase',
  ].filter(Boolean);
  if (chosen.length > 1)
    throw new UsageError(`${chosen.join(' and ')} cannot be combined.`, 'Restore one way at a time.');
  if (flags.onConflict !== undefined && flags.onConflict !== 'skip' && flags.onConflict !== 'overwrite')
    throw new UsageError(`--on-conflict must be skip or overwrite, not "${flags.onConflict}".`);
  const source: BackupSource = {
    repo: inputs.repo,
    ref: inputs.ref,
    target: inputs.target,
    keys: inputs.keys,
    jobs: flags.jobs === undefined ? undefined : Number(flags.jobs),
    dryRun: flags.dryRun,
    archive: inputs.archive,
  };
  if (flags.rows) {
    if (flags.clean || flags.newDb)
      throw new UsageError(
        '--rows copies rows into the --db database; it cannot be combined with --clean or --new-db.',
      );
    const { table, where } = parseRowsSpec(flags.rows);
    const onConflict = flags.onConflict === 'overwrite' ? 'overwrite' : 'skip';
    return {
      ...source,
      into: 'in-place',
      content: { what: 'rows', table, where, onConflict },
      confirm: flags.confirm,
      safetySnapshot: false,
    };
  }
  if (flags.intoSupabase) {
    if (flags.clean)
      throw new UsageError('--into-supabase restores into a fresh project; it cannot be combined with --clean.');
    return { ...source, into: 'supabase', database: flags.newDb };
  }
  const content: RestoreContent = flags.table?.length
    ? { what: 'tables', tables: flags.table }
    : flags.schemaOnly
      ? { what: 'schema' }
      : { what: 'full' };
  if (!flags.clean) return { ...source, into: 'new-db', database: flags.newDb, content };
  if (flags.newDb) throw new UsageError('--clean restores in place; it cannot be combined with --new-db.');
  const safetySnapshot = flags.safetySnapshot !== false;
  return {
    ...source,
    into: 'in-place',
    content,
    confirm: flags.confirm,
    safetySnapshot,
    safetyEncryption: safetySnapshot ? inputs.safetyEncryption() : undefined,
  };
}

/** `--new-cluster DIR`: the whole backup into a cluster pgdr creates; what only makes sense elsewhere is refused. */
export function newClusterRequest(
  flags: RestoreShapeFlags,
  inputs: Omit<RestoreInputs, 'target' | 'safetyEncryption' | 'ref'> & { ref?: string; database?: string },
): NewClusterRestore {
  const other = [
    flags.clean && '--clean',
    flags.newDb && '--new-db',
    flags.rows && '--rows',
    flags.table?.length && '--table',
    flags.schemaOnly && '--schema-only',
    flags.intoSupabase && '--into-supabase',
  ].filter(Boolean);
  if (other.length)
    throw new UsageError(
      `--new-cluster restores the whole backup into a new cluster; it cannot be combined with ${other.join(', ')}.`,
    );
  if (!inputs.ref)
    throw new UsageError('Name the backup to restore.', 'pgdr restore latest --repo … --new-cluster DIR');
  const whole = (flag: string, value: string | undefined, min: number, max: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}".`);
    return n;
  };
  return {
    into: 'new-cluster',
    ref: inputs.ref,
    repo: inputs.repo,
    database: inputs.database,
    keys: inputs.keys,
    archive: inputs.archive,
    jobs: whole('--jobs', flags.jobs, 1, 64),
    dryRun: flags.dryRun,
    dataDir: flags.newCluster!,
    port: whole('--port', flags.port, 1, 65535) ?? 5432,
    pgVersion: whole('--pg-version', flags.pgVersion, 10, 99),
    confTemplate: flags.postgresqlConf,
  };
}
