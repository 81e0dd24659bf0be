import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type { OperationContext } from '../../core/context.js';
import { Aborted, isPgdrError, PgdrError } from '../../core/errors.js';
import { handToServerUser, isRoot, SERVER_OS_USER } from '../../pg/server-user.js';
import { quoteIdent, withClient } from '../../pg/client.js';
import type { DbTarget } from '../../pg/connection.js';
import { manifestTables } from '../../backup/manifest-tables.js';
import type { TableCheck } from '../../backup/table-counts.js';
import { restoreBackup } from '../restore-backup.js';
import type { RestoreResult } from '../types.js';
import type { NewClusterRestore } from '../request.js';
import { planNewCluster, loadParent, type NewClusterPlan, type PreparedNewCluster } from './plan.js';
import { MARKER, MARKER_INCLUDE, markerText } from './marker.js';
import { clusterSettings, loadOptions, productionLines } from './settings.js';
import { checkRestarted } from './verify.js';
import {
  initCluster,
  startCluster,
  startLoadServer,
  stopCluster,
  syncDataDir,
  waitReady,
  type LoadServer,
} from './server.js';

export interface NewClusterResult {
  ok: boolean;
  dryRun: boolean;
  plan: NewClusterPlan;
  /** The restore into the new cluster while it ran with the load settings (absent in a dry run). */
  restore?: RestoreResult;
  /** The settings in force after the restart (SHOW), and every table counted then. */
  settings: Record<string, string>;
  tables: TableCheck[];
  mismatches: number;
  /** Each phase and how long it took. */
  phases: { phase: string; ms: number }[];
  durationMs: number;
  /** How to connect to the restored cluster. */
  connect: string[];
}

/**
 * Restores a whole backup into a PostgreSQL cluster it creates: initdb, a load with durability off on a server only
 * pgdr reaches (tied to pgdr's life), ANALYZE and row counts, then CHECKPOINT, stop, a flush of the whole data
 * directory, the production settings, a restart and the row counts again. Until the end the directory holds
 * PGDR_INCOMPLETE, which postgresql.conf includes so no server starts on it; a failure or Ctrl-C stops the server.
 */
export async function restoreIntoNewCluster(
  request: NewClusterRestore,
  ctx: OperationContext,
): Promise<NewClusterResult> {
  const started = Date.now();
  const prepared = await planNewCluster(request);
  const { plan } = prepared;
  const result: NewClusterResult = {
    ok: true,
    dryRun: Boolean(request.dryRun),
    plan,
    settings: {},
    tables: [],
    mismatches: 0,
    phases: [],
    durationMs: 0,
    connect: connectLines(plan),
  };
  if (request.dryRun) return { ...result, durationMs: Date.now() - started };
  const run = new ClusterRun(request, prepared, result, ctx);
  try {
    await run.all();
    return { ...result, durationMs: Date.now() - started };
  } catch (error) {
    throw await run.failed(error);
  } finally {
    rmSync(run.loadDir, { recursive: true, force: true });
  }
}

class ClusterRun {
  readonly loadDir: string;
  private server: LoadServer | undefined;
  private production = false;
  private readonly dir: string;

  constructor(
    private readonly request: NewClusterRestore,
    private readonly prepared: PreparedNewCluster,
    private readonly result: NewClusterResult,
    private readonly ctx: OperationContext,
  ) {
    this.dir = prepared.plan.dataDir;
    this.loadDir = mkdtempSync(join(loadParent(), 'pgdr-load-'));
    chmodSync(this.loadDir, 0o700);
    handToServerUser(this.loadDir);
  }

  private async phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t = Date.now();
    this.ctx.log.info(`${name}…`);
    const out = await fn();
    this.result.phases.push({ phase: name, ms: Date.now() - t });
    return out;
  }

  async all(): Promise<void> {
    const { plan, bin, manifest } = this.prepared;
    const signal = this.ctx.signal;
    await this.phase(`initdb (PostgreSQL ${plan.major}) in ${this.dir}`, async () => {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      handToServerUser(this.dir);
      const pwfile = this.request.password ? this.privateFile('pwfile', this.request.password + '\n') : undefined;
      try {
        await initCluster(bin, this.dir, { superuser: plan.superuser, pwfile, signal });
      } finally {
        if (pwfile) rmSync(pwfile, { force: true });
      }
      this.markIncomplete();
    });
    const loadTarget = this.loadTarget('postgres');
    await this.phase('start the server for the load (fsync off, no TCP, tied to pgdr)', async () => {
      const settings = clusterSettings({
        port: plan.port,
        loadDir: this.loadDir,
        socketDir: plan.socketDir,
        template: Boolean(plan.template),
      });
      this.server = startLoadServer(bin, this.dir, loadOptions(settings, join(this.loadDir, 'postgresql.conf')));
      await waitReady(this.server, loadTarget, signal);
      // A backup of the database `postgres` goes into the cluster's own, which initdb made empty.
      if (plan.database === 'postgres')
        await withClient(this.loadTarget('template1'), (c) => c.query(`drop database ${quoteIdent('postgres')}`));
    });
    const restored = await this.phase(`restore into ${plan.database}, ANALYZE, row counts`, () =>
      restoreBackup(
        {
          into: 'new-db',
          database: plan.database,
          content: { what: 'full' },
          skipsWal: true,
          repo: this.prepared.repo,
          ref: manifest.id,
          target: loadTarget,
          keys: this.request.keys,
          jobs: plan.jobs,
          archive: this.request.archive,
        },
        this.ctx,
      ),
    );
    this.result.restore = restored;
    if (!restored.ok)
      throw new PgdrError(`${restored.mismatches} table(s) of the new cluster differ from the backup's row counts.`, {
        hint: restored.tables
          .filter((t) => !t.ok)
          .slice(0, 3)
          .map((t) => `${t.table}: ${t.expected} in the backup, ${t.actual ?? 'missing'} restored`)
          .join('; '),
      });
    await this.phase('CHECKPOINT and stop', async () => {
      await withClient(loadTarget, (c) => c.query('checkpoint'));
      await this.server!.stop('fast');
      this.server = undefined;
    });
    await this.phase(`flush ${this.dir} to disk (${plan.sync === 'syncfs' ? 'syncfs' : 'initdb --sync-only'})`, () =>
      syncDataDir(bin, this.dir, signal),
    );
    await this.phase('write the production settings', async () => this.writeProduction());
    await this.phase(`start on port ${plan.port} with the production settings`, async () => {
      this.production = true;
      await startCluster(bin, this.dir, join(this.dir, 'pgdr-start.log'), signal);
    });
    const check = await this.phase('check the settings in force and count every table', () =>
      checkRestarted(this.productionTarget(), manifestTables(manifest), plan.jobs),
    );
    this.result.settings = check.settings;
    this.result.tables = check.tables;
    this.result.mismatches = check.tables.filter((t) => !t.ok).length;
    this.result.ok = this.result.mismatches === 0;
    if (!this.result.ok)
      throw new PgdrError(`After the restart ${this.result.mismatches} table(s) differ from the backup's row counts.`);
    unlinkSync(join(this.dir, MARKER));
    syncDir(this.dir);
  }

  /** What the operator is told, after the server was stopped and the directory marked. */
  async failed(error: unknown): Promise<PgdrError> {
    await this.server?.stop('immediate');
    if (this.production) await stopCluster(this.prepared.bin, this.dir, 'immediate');
    let marked = existsSync(join(this.dir, MARKER));
    if (!marked && existsSync(this.dir) && readdirSync(this.dir).length) {
      this.writeMarker();
      marked = true;
    }
    const state = marked
      ? `The server was stopped; ${this.dir} is marked unusable (${MARKER}): remove it (rm -rf ${this.dir}) and restore again.`
      : `${this.dir} was left empty.`;
    if (this.ctx.signal.aborted) return new Aborted(`Restore into the new cluster ${this.dir} interrupted. ${state}`);
    const reason = error instanceof Error ? error.message : String(error);
    return new PgdrError(`Restore into the new cluster ${this.dir} failed: ${reason}`, {
      hint: `${state}${isPgdrError(error) && error.hint ? ` ${error.hint}` : ''}`,
      cause: error,
    });
  }

  private privateFile(name: string, text: string): string {
    const path = join(this.loadDir, name);
    writeFileSync(path, text, { mode: 0o600 });
    handToServerUser(path);
    return path;
  }

  private writeMarker(): void {
    const path = join(this.dir, MARKER);
    writeFileSync(
      path,
      markerText({ backupId: this.prepared.manifest.id, dataDir: this.dir, pid: process.pid, started: new Date() }),
      { mode: 0o600 },
    );
    handToServerUser(path);
    syncFile(path);
  }

  /** The marker, and postgresql.conf including it; the load reads a private copy of initdb's postgresql.conf. */
  private markIncomplete(): void {
    this.writeMarker();
    const conf = join(this.dir, 'postgresql.conf');
    const initial = readFileSync(conf, 'utf8');
    this.privateFile('postgresql.conf', initial);
    this.privateFile(
      'pg_hba.conf',
      '# pgdr restore --new-cluster: the load, through its private socket only\nlocal all all trust\n',
    );
    writeFileSync(conf, `${initial}\n${MARKER_INCLUDE}\n`);
    syncFile(conf);
    syncDir(this.dir);
  }

  /** postgresql.conf for after the load (without the marker's include), and peer logins mapped for pgdr's check. */
  private writeProduction(): void {
    const { plan } = this.prepared;
    const base = plan.template
      ? readFileSync(plan.template, 'utf8')
      : readFileSync(join(this.loadDir, 'postgresql.conf'), 'utf8');
    const lines = productionLines(plan.settings);
    const conf = join(this.dir, 'postgresql.conf');
    writeFileSync(
      conf,
      `${base}\n# pgdr restore --new-cluster of backup ${this.prepared.manifest.id}: the settings after the load\n${lines.join('\n')}\n`,
    );
    const hba = join(this.dir, 'pg_hba.conf');
    // Local logins by OS user: the server user (and the one running pgdr) as the superuser, others as themselves.
    writeFileSync(hba, `local all all peer map=pgdr\n${readFileSync(hba, 'utf8')}`);
    const users = [...new Set([SERVER_OS_USER, isRoot() ? 'root' : userInfo().username])];
    const ident = join(this.dir, 'pg_ident.conf');
    writeFileSync(
      ident,
      `${readFileSync(ident, 'utf8')}\n${users.map((u) => `pgdr ${u} ${plan.superuser}`).join('\n')}\npgdr /^(.*)$ \\1\n`,
    );
    for (const f of [conf, hba, ident]) syncFile(f);
    syncDir(this.dir);
  }

  private loadTarget(database: string): DbTarget {
    return clusterTarget(this.loadDir, this.prepared.plan, database);
  }

  private productionTarget(): DbTarget {
    const { plan } = this.prepared;
    return clusterTarget(plan.socketDir, plan, plan.database);
  }
}

/** The new cluster through a Unix socket, as its superuser (no password: trust during the load, peer after). */
function clusterTarget(socketDir: string, plan: NewClusterPlan, database: string): DbTarget {
  const user = plan.superuser;
  const display = `postgres://${encodeURIComponent(user)}@${encodeURIComponent(socketDir)}:${plan.port}/${encodeURIComponent(database)}`;
  return { host: socketDir, port: plan.port, user, database, source: 'new cluster', display };
}

function connectLines(plan: NewClusterPlan): string[] {
  const db = plan.database;
  return [
    `${isRoot() ? `sudo -u ${SERVER_OS_USER} ` : ''}psql -h ${plan.socketDir} -p ${plan.port} -U ${plan.superuser} -d ${db}`,
    `postgres://${encodeURIComponent(plan.superuser)}@localhost:${plan.port}/${encodeURIComponent(db)} (TCP needs a password: ALTER ROLE ${plan.superuser} PASSWORD …)`,
    `stop / start: ${isRoot() ? `sudo -u ${SERVER_OS_USER} ` : ''}${plan.binDir}/pg_ctl -D ${plan.dataDir} stop|start`,
  ];
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const syncDir = syncFile;
