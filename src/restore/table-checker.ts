import type pg from 'pg';
import { connect, quoteIdent } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';
import type { TocEntry } from './toc.js';
import { applySettings, countRows, type TableCheck } from './row-counts.js';

/**
 * Checks each table as soon as pg_restore has loaded its data — ANALYZE and an exact row count on one extra
 * session — while pg_restore goes on with the other tables and the index builds. The verification then costs
 * almost nothing at the end of a restore instead of a second pass over every table.
 */
export class RestoredTableChecker {
  private readonly byId: Map<number, TocEntry>;
  private readonly queue: TocEntry[] = [];
  private readonly counts = new Map<string, number | null>();
  /** "schema.table" of every table already analyzed. */
  readonly analyzed = new Set<string>();
  private client: Promise<pg.Client> | undefined;
  private draining: Promise<void> = Promise.resolve();
  private current: TocEntry | undefined;
  private failed = false;
  /** pg_restore --jobs says "finished item N TABLE DATA"; one job only says where the next table starts. */
  private parallel = false;

  constructor(
    private readonly target: DbTarget,
    toc: TocEntry[],
    private readonly settings: Record<string, string>,
  ) {
    this.byId = new Map(toc.filter((e) => e.desc === 'TABLE DATA').map((e) => [e.id, e]));
  }

  /** Reads pg_restore --verbose lines: "finished item N TABLE DATA x" (parallel) or "processing data for table" (one job). */
  onLine = (line: string): void => {
    if (/launching item \d+ /.test(line)) this.parallel = true;
    const finished = /finished item (\d+) TABLE DATA /.exec(line);
    if (finished) return this.done(this.byId.get(Number(finished[1])));
    if (this.parallel) return;
    const single = /processing data for table "(.+)"/.exec(line);
    if (single || (this.current && /^pg_restore: (creating|processing item|executing)/.test(line))) {
      this.done(this.current);
      this.current = single ? [...this.byId.values()].find((e) => `${e.schema}.${e.tag}` === single[1]) : undefined;
    }
  };

  private done(entry: TocEntry | undefined): void {
    if (!entry || this.failed) return;
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
      await client.query(`analyze ${quoteIdent(e.schema)}.${quoteIdent(e.tag)}`);
      this.analyzed.add(`${e.schema}.${e.tag}`);
      this.counts.set(`${e.schema}.${e.tag}`, await countRows(client, `${e.schema}.${e.tag}`));
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

  /** Waits for the checks under way (on up to `jobs` sessions); tables not checked yet are counted now. */
  async finish(expected: Record<string, number>, only: string[] | undefined, jobs: number): Promise<TableCheck[]> {
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
      for (const table of (only ?? Object.keys(expected)).filter((t) => t in expected).sort()) {
        const actual = this.counts.has(table) ? this.counts.get(table)! : await countRows(session, table);
        checks.push({ table, expected: expected[table]!, actual, ok: actual === expected[table] });
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
