import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aborted, PgdrError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/context.js';
import { runProcess } from '../../core/system.js';
import { findTool } from '../../pg/tools.js';
import { asServerUser, handToServerUser } from '../../pg/server-user.js';
import { runPgbackrest, globalArgs } from '../../backup/physical/pgbackrest-command.js';
import { backupFor, pgbackrestInfo, type PgbackrestBackup, type PgbackrestInfo } from './pgbackrest-info.js';
import { assertFreshDataDir, assertPortFree } from './data-dir.js';
import { assertInWindow, type RecoveryWindow } from './window.js';
import { formatPgTime } from './recovery-time.js';
import { parseRecoveryLog } from './recovery-log.js';
import { serverSql } from './server-sql.js';

export interface PitrRestoreOptions {
  stanza: string;
  configPath?: string;
  /**
   * The time to recover to, or 'latest': the newest backup and every archived WAL segment after it, the fast
   * physical path for a self-hosted database that is lost (minutes for what a logical restore takes hours for).
   */
  target: Date | 'latest';
  /** A new directory for the restored cluster: absent or empty. */
  dataDir: string;
  port: number;
  /** listen_addresses of the restored cluster; default 127.0.0.1 so nothing outside the host reaches it by accident. */
  listenAddresses?: string;
  /** Keep archive_mode as the source had it (then the restored cluster pushes WAL to the same stanza); default off. */
  keepArchiving?: boolean;
  /** How long recovery may take, in seconds; default 1800. */
  timeoutSeconds?: number;
  signal?: AbortSignal;
  log?: Logger;
}

export interface PitrRestorePlan {
  info: PgbackrestInfo;
  window: RecoveryWindow;
  backup: PgbackrestBackup;
  /** pgbackrest restore arguments, as run. */
  restoreArgs: string[];
  /** Lines appended to the restored postgresql.auto.conf. */
  settings: Record<string, string>;
  socketDir: string;
}

export interface PitrRestoreResult {
  dataDir: string;
  port: number;
  url: string;
  /** The last transaction applied (≤ target); the backup's end when none came between it and the target. */
  recoveredTo: Date;
  /** The first transaction not applied (> target): proof that recovery went as far as the target. Absent for 'latest'. */
  stoppedBefore?: Date;
  backup: string;
  logFile: string;
}

export class RecoveryFailed extends PgdrError {}

/** Every check and decision of a restore, without changing anything: what --dry-run prints. */
export async function planPitrRestore(options: PitrRestoreOptions): Promise<PitrRestorePlan> {
  assertFreshDataDir(options.dataDir);
  await assertPortFree(options.port);
  const source = { stanza: options.stanza, configPath: options.configPath };
  const info = await pgbackrestInfo(source, { signal: options.signal });
  const provider = `pgBackRest stanza "${options.stanza}"`;
  if (!info.window) {
    throw new RecoveryFailed(`${provider} has no usable backup, so there is nothing to recover from.`, {
      hint: `Take a full backup first: pgbackrest${options.configPath ? ` --config=${options.configPath}` : ''} --stanza=${options.stanza} --type=full backup`,
    });
  }
  const latest = options.target === 'latest';
  if (!latest) {
    assertInWindow(options.target as Date, info.window, {
      provider,
      latestHint:
        'Recovery can only stop at a time when a later transaction has been archived. If the source is still running, ' +
        'archive the current WAL (select pg_switch_wal(); or pgbackrest check) after the next write, then retry; otherwise pick an earlier time.',
    });
  }
  const backup = latest ? info.backups.at(-1)! : backupFor(info, options.target as Date)!;
  const socketDir = join(options.dataDir, '.s.PGSQL.00000').length < 100 ? options.dataDir : tmpdir();
  const restoreArgs = [
    // 'default': replay every archived segment, then promote (a new timeline), as PostgreSQL does without a target.
    ...(latest
      ? ['--type=default']
      : ['--type=time', `--target=${formatPgTime(options.target as Date)}`, '--target-action=promote']),
    `--set=${backup.label}`,
    `--pg1-path=${options.dataDir}`,
    ...(options.keepArchiving ? [] : ['--archive-mode=off']),
  ];
  const settings: Record<string, string> = {
    port: String(options.port),
    listen_addresses: `'${options.listenAddresses ?? '127.0.0.1'}'`,
    unix_socket_directories: `'${socketDir}'`,
    // Recovery messages must land in the file pgdr reads to verify the stop point.
    logging_collector: 'off',
    log_destination: "'stderr'",
  };
  return { info, window: info.window, backup, restoreArgs, settings, socketDir };
}

export function describeRestorePlan(options: PitrRestoreOptions, plan: PitrRestorePlan): string[] {
  return [
    `restore backup ${plan.backup.label} (${plan.backup.type}${plan.backup.prior ? ` on top of ${plan.backup.prior}` : ''}, finished ${formatPgTime(plan.backup.stop)}) into ${options.dataDir}`,
    `pgbackrest ${[...globalArgs(options), 'restore', ...plan.restoreArgs].join(' ')}`,
    `append to postgresql.auto.conf: ${Object.entries(plan.settings)
      .map(([k, v]) => `${k} = ${v}`)
      .join(', ')}`,
    ...(options.target === 'latest'
      ? [
          `pg_ctl start on port ${options.port}, replay all archived WAL${plan.info.lastCommit ? ` (last archived transaction ${plan.info.lastCommit.raw})` : ''}, promote`,
          'verify: the server was promoted and replayed the last transaction found in the archived WAL',
        ]
      : [
          `pg_ctl start on port ${options.port}, replay WAL up to ${formatPgTime(options.target)}, promote`,
          'verify: the server log names the first transaction after the target, and the last one replayed is not after it',
        ]),
  ];
}

/**
 * Restores the stanza to `target` into a new data directory and starts it on `port`. Refuses, before changing
 * anything, a target outside the recoverable window, a non-empty directory and a busy port.
 */
export async function pitrRestore(options: PitrRestoreOptions): Promise<PitrRestoreResult> {
  const log = options.log ?? silentLogger;
  const plan = await planPitrRestore(options);
  const target = options.target === 'latest' ? 'the end of the archived WAL' : formatPgTime(options.target);
  log.info(`Restoring backup ${plan.backup.label} into ${options.dataDir} (recovery target ${target})`);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  handToServerUser(options.dataDir);
  try {
    await runPgbackrest(options, 'restore', plan.restoreArgs, { signal: options.signal, log });
  } catch (error) {
    throw new RecoveryFailed(
      `pgbackrest restore into ${options.dataDir} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: `Nothing else was touched; ${options.dataDir} holds a partial restore: remove it before retrying.`,
        cause: error,
      },
    );
  }
  prepareDataDir(options.dataDir, plan.settings);

  const logFile = join(options.dataDir, 'pgdr-recovery.log');
  const major = plan.info.pgMajor;
  const pgCtl = await findTool('pg_ctl', major);
  const timeout = options.timeoutSeconds ?? 1800;
  log.info(`Starting it on port ${options.port} and replaying WAL (log: ${logFile})`);
  const [cmd, args] = asServerUser(pgCtl.path, [
    '-D',
    options.dataDir,
    '-l',
    logFile,
    '-w',
    '-t',
    String(timeout),
    'start',
  ]);
  const server = { port: options.port, socketDir: plan.socketDir };
  let promoted = false;
  try {
    try {
      await runProcess(cmd, args, { signal: options.signal, cwd: '/' });
    } catch (error) {
      throw recoveryFailed(options, logFile, 'did not start', error);
    }
    await waitForPromotion(server, timeout, options.signal, () =>
      recoveryFailed(options, logFile, 'stayed in recovery'),
    );
    promoted = true;
    return await checkRecovery(options, plan, { server, logFile, major });
  } catch (error) {
    // A half-recovered copy, or one the operator stopped before it was checked, must not stay up looking usable;
    // one that failed its check after promotion stays up for inspection, as the error says.
    if (!promoted || options.signal?.aborted) {
      const [stopCmd, stopArgs] = asServerUser(pgCtl.path, ['-D', options.dataDir, '-m', 'fast', '-w', 'stop']);
      await runProcess(stopCmd, stopArgs, { cwd: '/' }).catch(() => {});
    }
    throw options.signal?.aborted
      ? new Aborted(`Point-in-time restore into ${options.dataDir} aborted; the restored server was stopped.`)
      : error;
  }
}

/** The promoted cluster went as far as the target and no further, as its log and its last replayed transaction say. */
async function checkRecovery(
  options: PitrRestoreOptions,
  plan: PitrRestorePlan,
  { server, logFile, major }: { server: { port: number; socketDir: string }; logFile: string; major?: number },
): Promise<PitrRestoreResult> {
  const target = options.target === 'latest' ? 'the end of the archived WAL' : formatPgTime(options.target);
  const outcome = parseRecoveryLog(readFileSync(logFile, 'utf8'));
  const replayed = await serverSql(
    server,
    "select coalesce(extract(epoch from pg_last_xact_replay_timestamp())::text, '')",
    { signal: options.signal, major },
  );
  const lastReplayed = replayed ? new Date(Math.floor(Number(replayed) * 1000)) : outcome.lastCompleted?.time;
  if (options.target === 'latest') return verifyLatest(options, plan, { lastReplayed, logFile });
  if (!outcome.stoppedBefore || outcome.stoppedBefore.time.getTime() < options.target.getTime()) {
    throw new RecoveryFailed(
      `Recovery of ${options.dataDir} ended, but the server log does not show it stopping at ${target}.`,
      {
        hint: `Inspect ${logFile}; the cluster is running on port ${options.port} (stop it: pg_ctl -D ${options.dataDir} stop).`,
      },
    );
  }
  if (lastReplayed && lastReplayed.getTime() > options.target.getTime()) {
    throw new RecoveryFailed(
      `Recovery replayed a transaction from ${formatPgTime(lastReplayed)}, after the target ${target}.`,
      {
        hint: `Do not use this copy; inspect ${logFile} (stop it: pg_ctl -D ${options.dataDir} stop).`,
      },
    );
  }
  const recoveredTo = lastReplayed ?? plan.backup.stop;
  options.log?.info(
    `Recovered to ${formatPgTime(recoveredTo)}; the next transaction (${outcome.stoppedBefore.raw}) was not applied. Promoted.`,
  );
  return {
    dataDir: options.dataDir,
    port: options.port,
    url: `postgres://postgres@127.0.0.1:${options.port}/postgres`,
    recoveredTo,
    stoppedBefore: outcome.stoppedBefore.time,
    backup: plan.backup.label,
    logFile,
  };
}

/**
 * A recovery to the end of the archive must have replayed the newest transaction the archived WAL holds (read with
 * pg_waldump when the plan was made); stopping earlier means a segment was missing or unreadable.
 */
function verifyLatest(
  options: PitrRestoreOptions,
  plan: PitrRestorePlan,
  seen: { lastReplayed: Date | undefined; logFile: string },
): PitrRestoreResult {
  const expected = plan.info.lastCommit;
  if (expected && (!seen.lastReplayed || seen.lastReplayed.getTime() < expected.time.getTime())) {
    throw new RecoveryFailed(
      `Recovery of ${options.dataDir} ended at ${seen.lastReplayed ? formatPgTime(seen.lastReplayed) : 'the backup'}, before the last archived transaction (${expected.raw}).`,
      {
        hint: `WAL between them was not replayed: inspect ${seen.logFile} and pgbackrest info. The cluster is running on port ${options.port} (stop it: pg_ctl -D ${options.dataDir} stop).`,
      },
    );
  }
  const recoveredTo = seen.lastReplayed ?? plan.backup.stop;
  options.log?.info(`Recovered to ${formatPgTime(recoveredTo)}, the last archived transaction. Promoted.`);
  return {
    dataDir: options.dataDir,
    port: options.port,
    url: `postgres://postgres@127.0.0.1:${options.port}/postgres`,
    recoveredTo,
    backup: plan.backup.label,
    logFile: seen.logFile,
  };
}

/** Makes the restored directory start on its own port, also when the source kept its config outside PGDATA (Debian). */
function prepareDataDir(dataDir: string, settings: Record<string, string>): void {
  const created: string[] = [];
  if (!existsSync(join(dataDir, 'postgresql.conf'))) created.push('postgresql.conf');
  if (!existsSync(join(dataDir, 'pg_hba.conf'))) created.push('pg_hba.conf');
  if (!existsSync(join(dataDir, 'pg_ident.conf'))) created.push('pg_ident.conf');
  for (const file of created) {
    const text = file === 'pg_hba.conf' ? 'local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n' : '';
    writeFileSync(join(dataDir, file), text, { mode: 0o600 });
    handToServerUser(join(dataDir, file));
  }
  const lines = Object.entries(settings).map(([k, v]) => `${k} = ${v}`);
  appendFileSync(join(dataDir, 'postgresql.auto.conf'), `\n# pgdr pitr restore\n${lines.join('\n')}\n`);
}

async function waitForPromotion(
  server: { port: number; socketDir: string },
  timeoutSeconds: number,
  signal: AbortSignal | undefined,
  onTimeout: () => Error,
): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    const inRecovery = await serverSql(server, 'select pg_is_in_recovery()', { signal }).catch(() => 't');
    if (inRecovery === 'f') return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw onTimeout();
}

function recoveryFailed(options: PitrRestoreOptions, logFile: string, what: string, cause?: unknown): RecoveryFailed {
  const outcome = existsSync(logFile) ? parseRecoveryLog(readFileSync(logFile, 'utf8')) : undefined;
  const said = outcome?.fatal.length ? `: ${outcome.fatal.slice(-2).join(' / ')}` : '';
  return new RecoveryFailed(`The restored cluster in ${options.dataDir} ${what}${said}`, {
    hint: `Read ${logFile}. The directory is left as it is for inspection; remove it before retrying with another --data-dir or target.`,
    cause,
  });
}
