import type pg from 'pg';
import { connect } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';
import { sameTable, tableId, type ManifestTable, type TableName } from '../backup/manifest-tables.js';
import type { TocEntry } from './toc.js';
import { applySettings } from './row-counts.js';
import { countRows, hasChildren, relation, sortByLabel, tableCheck, type TableCheck } from '../backup/table-counts.js';

/**
 * Checks each table as soon as pg_restore has loaded its data — ANALYZE and an exact row count on one extra
 * session — while pg_restore goes on with the other tables and the index builds. The verification then costs
 * almost nothing at the end of a restore instead of a second pass over every table. Each table is counted alone
 * (`only`), as the manifest counted it, so a parent loaded before its inheritance children is already right.
 */
export class RestoredTableChecker {
  private readonly data: TocEntry[];
  private readonly queue: TocEntry[] = [];
  /** Counted so far, by tableId. */
  private readonly counts = new Map<string, number | null>();
  /** tableId of every table already analyzed. */
  readonly analyzed = new Set<string>();
  private readonly seen = new Set<number>();
  private client: Promise<pg.Client> | undefined;
  private draining: Promise<void> = Promise.resolve();
  private current: TocEntry | undefined;
  private failed = false;
  /** pg_restore --jobs says "finished item N TABLE DATA"; one job only says where the next table starts. */
  private parallel = false;

  constructor(
    private readonly target: DbTarget,
    toc: TocEntry[],
    private readonly expected: readonly ManifestTable[],
    private readonly settings: Record<string, string>,
  ) {
    this.data = toc.filter((e) => e.desc === 'TABLE DATA');
  }

  /** Reads pg_restore --verbose lines: "finished item N TABLE DATA x" (parallel) or "processing data for table" (one job). */
  onLine = (line: string): void => {
    if (/launching item \d+ /.test(line)) this.parallel = true;
    const finished = /finished item (\d+) TABLE DATA /.exec(line);
    if (finished) return this.done(this.data.find((e) => e.id === Number(finished[1])));
    if (this.parallel) return;
    const single = /processing data for table "(.+)"/.exec(line);
    if (single || (this.current && /^pg_restore: (creating|processing item|executing)/.test(line))) {
      this.done(this.current);
      // "schema.table" is ambiguous for dotted names; one job loads the data in archive order, so the next unseen one is it.
      this.current = single
        ? this.data.find((e) => !this.seen.has(e.id) && `${e.schema}.${e.tag}` === single[1])
        : undefined;
      if (this.current) this.seen.add(this.current.id);
    }
  };

  private done(entry: TocEntry | undefined): void {
    if (!entry || this.failed) return;
    this.seen.add(entry.id);
    this.queue.push(entry);
    this.draining = this.draining.then(() => this.drain());
  }

  private async drain(): Promise<void> {
    try {
      this.client ??= this.session();
      await this.work(await this.client);
    } catch {
      // The end-of-restore pass counts whatever this one could not.
      this.failed = true;
    }
  }

  private async session(): Promise<pg.Client> {
    const c = await connect(this.target, { applicationName: 'pgdr restore check' });
    await applySettings(c, this.settings);
    return c;
  }

  private async work(client: pg.Client): Promise<void> {
    for (let e = this.queue.shift(); e; e = this.queue.shift()) {
      const table: TableName = { schema: e.schema, table: e.tag };
      await client.query(`analyze ${relation(table)}`);
      this.analyzed.add(tableId(table));
      const wanted = this.expected.find((t) => sameTable(t, table));
      // A format-1 count includes the children's rows: such a parent is counted at the end, once they are loaded.
      if (wanted && !(wanted.withChildren && (await hasChildren(client, table))))
        this.counts.set(tableId(table), await countRows(client, wanted));
    }
  }

  /** Once pg_restore is done the cores are free: what is still queued is shared with `jobs - 1` more sessions. */
  private async helper(): Promise<void> {
    let client: pg.Client | undefined;
    try {
      client = await this.session();
      await this.work(client);
    } catch {
      this.failed = true;
    } finally {
      await client?.end().catch(() => {});
    }
  }

  /** Waits for the checks under way (on up to `jobs` sessions); tables not counted yet are counted now. */
  async finish(only: readonly TableName[] | undefined, jobs: number): Promise<TableCheck[]> {
    this.done(this.current);
    this.current = undefined;
    const helpers = this.failed
      ? []
      : Array.from({ length: Math.min(jobs - 1, this.queue.length) }, () => this.helper());
    await Promise.all([this.draining, ...helpers]);
    const client = this.client ? await this.client.catch(() => undefined) : undefined;
    const session = client ?? (await connect(this.target, { applicationName: 'pgdr restore check' }));
    try {
      const checks: TableCheck[] = [];
      const tables = only ? this.expected.filter((t) => only.some((o) => sameTable(o, t))) : this.expected;
      for (const t of sortByLabel(tables)) {
        const id = tableId(t);
        checks.push(tableCheck(t, this.counts.has(id) ? this.counts.get(id)! : await countRows(session, t)));
      }
      return checks;
    } finally {
      await session.end().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.draining;
    if (this.client) await (await this.client.catch(() => undefined))?.end().catch(() => {});
  }
}
