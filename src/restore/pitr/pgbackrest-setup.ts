import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Logger } from '../../core/context.js';
import { silentLogger } from '../../core/context.js';
import { handToServerUser } from '../../pg/server-user.js';
import { mergeIni } from './ini.js';
import { runPgbackrest, STANZA_NAME } from '../../backup/physical/pgbackrest-command.js';
import { serverSql } from './server-sql.js';

export const DEFAULT_PGBACKREST_CONFIG = '/etc/pgbackrest/pgbackrest.conf';

export interface PitrSetupOptions {
  stanza: string;
  /** The running cluster's data directory (pg1-path). */
  dataDir: string;
  /** Where pgBackRest keeps backups and archived WAL (repo1-path). */
  repoPath: string;
  port: number;
  /** The server's Unix socket directory; pgBackRest and pgdr connect through it. Default /var/run/postgresql. */
  socketDir?: string;
  /** pgbackrest.conf to write; default /etc/pgbackrest/pgbackrest.conf. */
  configPath?: string;
  logPath?: string;
  lockPath?: string;
  /** Full backups to keep (repo1-retention-full); default 2. */
  retentionFull?: number;
}

export interface PitrSetupPlan {
  stanza: string;
  configPath: string;
  /** Section → key → value, merged into pgbackrest.conf. */
  pgbackrest: Record<string, Record<string, string>>;
  /** postgresql.conf settings, values as they go after `=` (quoted where needed). */
  postgresql: Record<string, string>;
  /** Settings that need a server restart (not just a reload) to take effect. */
  restartSettings: string[];
  /** What an operator runs afterwards, in order. */
  nextCommands: string[];
}

export interface SetupCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PitrSetupResult {
  plan: PitrSetupPlan;
  written: boolean;
  checks: SetupCheck[];
  ok: boolean;
}

export function pitrSetupPlan(options: PitrSetupOptions): PitrSetupPlan {
  if (!STANZA_NAME.test(options.stanza))
    throw new UsageError(
      `"${options.stanza}" is not a usable stanza name.`,
      'Use letters, digits, "-", "_" or ".", e.g. main.',
    );
  for (const [flag, path] of [
    ['--data-dir', options.dataDir],
    ['--repo-path', options.repoPath],
  ] as const) {
    if (!isAbsolute(path))
      throw new UsageError(`${flag} must be an absolute path: ${path}`, 'pgBackRest only accepts absolute paths.');
  }
  const configPath = options.configPath ?? DEFAULT_PGBACKREST_CONFIG;
  const socketDir = options.socketDir ?? '/var/run/postgresql';
  const configArg = configPath === DEFAULT_PGBACKREST_CONFIG ? '' : ` --config=${configPath}`;
  const global: Record<string, string> = {
    'repo1-path': options.repoPath,
    'repo1-retention-full': String(options.retentionFull ?? 2),
    'start-fast': 'y',
    'compress-type': 'zst',
    ...(options.logPath ? { 'log-path': options.logPath } : {}),
    ...(options.lockPath ? { 'lock-path': options.lockPath } : {}),
  };
  const stanza = { 'pg1-path': options.dataDir, 'pg1-port': String(options.port), 'pg1-socket-path': socketDir };
  const archiveCommand = `pgbackrest${configArg} --stanza=${options.stanza} archive-push %p`;
  return {
    stanza: options.stanza,
    configPath,
    pgbackrest: { global, [options.stanza]: stanza },
    postgresql: {
      archive_mode: 'on',
      archive_command: `'${archiveCommand.replace(/'/g, "''")}'`,
      wal_level: 'replica',
      max_wal_senders: '3',
      // A quiet database still closes a WAL segment every minute, so the archive (and the PITR window) keeps up.
      archive_timeout: "'60s'",
    },
    restartSettings: ['archive_mode', 'wal_level', 'max_wal_senders'],
    nextCommands: [
      `pgbackrest${configArg} --stanza=${options.stanza} stanza-create`,
      `pgbackrest${configArg} --stanza=${options.stanza} check`,
      `pgbackrest${configArg} --stanza=${options.stanza} --type=full backup`,
    ],
  };
}

/** The plan as text: the pgbackrest.conf sections and the postgresql.conf lines. */
export function renderSetupPlan(plan: PitrSetupPlan): string {
  const ini = Object.entries(plan.pgbackrest)
    .map(([section, values]) => [`[${section}]`, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)].join('\n'))
    .join('\n\n');
  const conf = Object.entries(plan.postgresql)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
  return [
    `# ${plan.configPath}`,
    ini,
    '',
    '# postgresql.conf (restart needed for ' + plan.restartSettings.join(', ') + ')',
    conf,
    '',
    '# then',
    ...plan.nextCommands,
  ].join('\n');
}

/**
 * Applies the plan when `write` is set: merges pgbackrest.conf, sets the server settings with ALTER SYSTEM and
 * reloads, then runs stanza-create and check. Without `write` it only compares the server with the plan.
 * Each step is reported as a check; the first failing one stops the rest.
 */
export async function pitrSetup(
  options: PitrSetupOptions,
  run: { write: boolean; signal?: AbortSignal; log?: Logger },
): Promise<PitrSetupResult> {
  const plan = pitrSetupPlan(options);
  const log = run.log ?? silentLogger;
  const server = { port: options.port, socketDir: options.socketDir ?? '/var/run/postgresql' };
  const checks: SetupCheck[] = [];
  const step = async (name: string, fn: () => Promise<string>): Promise<boolean> => {
    try {
      const detail = await fn();
      checks.push({ name, ok: true, detail });
      log.info(`ok    ${name}: ${detail}`);
      return true;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      checks.push({ name, ok: false, detail });
      log.warn(`FAIL  ${name}: ${detail}`);
      return false;
    }
  };
  const finish = (written: boolean): PitrSetupResult => ({ plan, written, checks, ok: checks.every((c) => c.ok) });

  if (!run.write) {
    await step('server settings', async () => describeDrift(await settingsDrift(plan, server, run.signal)));
    return finish(false);
  }
  const steps: [string, () => Promise<string>][] = [
    ['pgbackrest.conf', async () => writeConfig(plan)],
    ['repository directory', async () => ensureDirs([options.repoPath, options.logPath, options.lockPath])],
    ['server settings', async () => applySettings(plan, server, run.signal)],
    ['restart not pending', async () => assertNoPendingRestart(plan, server, run.signal)],
    [
      'stanza-create',
      async () => (await runPgbackrest(plan, 'stanza-create', [], run), 'stanza created in the repository'),
    ],
    [
      'pgbackrest check',
      async () => (
        await runPgbackrest(plan, 'check', [], run),
        'a WAL segment was archived and the repository is reachable'
      ),
    ],
  ];
  for (const [name, fn] of steps) if (!(await step(name, fn))) break;
  return finish(true);
}

function writeConfig(plan: PitrSetupPlan): string {
  const existing = existsSync(plan.configPath) ? readFileSync(plan.configPath, 'utf8') : '';
  mkdirSync(dirname(plan.configPath), { recursive: true });
  writeFileSync(plan.configPath, mergeIni(existing, plan.pgbackrest), { mode: 0o640 });
  handToServerUser(plan.configPath);
  return existing ? `updated ${plan.configPath}` : `wrote ${plan.configPath}`;
}

/** The repository and, when given, the log and lock paths, owned by the server user that pgBackRest runs as. */
function ensureDirs(paths: (string | undefined)[]): string {
  const done: string[] = [];
  for (const path of paths) {
    if (!path) continue;
    if (!existsSync(path)) done.push(`created ${path}`);
    mkdirSync(path, { recursive: true, mode: 0o750 });
    handToServerUser(path);
  }
  return done.length ? done.join(', ') : 'all exist';
}

async function settingsDrift(
  plan: PitrSetupPlan,
  server: { port: number; socketDir: string },
  signal?: AbortSignal,
): Promise<string[]> {
  const names = Object.keys(plan.postgresql);
  const out = await serverSql(
    server,
    `select name || '=' || setting from pg_settings where name in (${names.map((n) => `'${n}'`).join(',')})`,
    { signal },
  );
  const current = new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return names.filter((n) => !satisfies(n, current.get(n) ?? '', unquote(plan.postgresql[n]!)));
}

const unquote = (v: string) => v.replace(/^'|'$/g, '').replace(/''/g, "'");

/** A stronger setting already in place is kept: wal_level=logical includes replica, more WAL senders are fine. */
function satisfies(name: string, current: string, wanted: string): boolean {
  if (name === 'wal_level') return current === 'replica' || current === 'logical';
  if (name === 'max_wal_senders') return Number(current) >= Number(wanted);
  if (name === 'archive_timeout') return Number(current) > 0;
  return current === wanted;
}

function describeDrift(drift: string[]): string {
  if (drift.length) throw new Error(`differs from the plan: ${drift.join(', ')} (rerun with --write)`);
  return 'already as planned';
}

async function applySettings(
  plan: PitrSetupPlan,
  server: { port: number; socketDir: string },
  signal?: AbortSignal,
): Promise<string> {
  const drift = await settingsDrift(plan, server, signal);
  if (!drift.length) return 'already as planned';
  const sql =
    drift.map((n) => `alter system set ${n} = ${plan.postgresql[n]};`).join('\n') + '\nselect pg_reload_conf();';
  await serverSql(server, sql, { signal });
  return `set ${drift.join(', ')} (ALTER SYSTEM) and reloaded`;
}

async function assertNoPendingRestart(
  plan: PitrSetupPlan,
  server: { port: number; socketDir: string },
  signal?: AbortSignal,
): Promise<string> {
  const pending = await serverSql(server, `select string_agg(name, ', ') from pg_settings where pending_restart`, {
    signal,
  });
  if (pending)
    throw new Error(
      `PostgreSQL must be restarted for ${pending}; restart it (e.g. systemctl restart postgresql) and rerun pgdr pitr setup --write`,
    );
  const drift = await settingsDrift(plan, server, signal);
  if (drift.length) throw new Error(`still not in effect after reload: ${drift.join(', ')}`);
  return 'all settings in effect';
}
