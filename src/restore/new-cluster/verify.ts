import { connect } from '../../pg/client.js';
import type { DbTarget } from '../../pg/connection.js';
import { PgdrError } from '../../core/errors.js';
import { countRows, sortByLabel, tableCheck, type TableCheck } from '../../backup/table-counts.js';
import type { ManifestTable } from '../../backup/manifest-tables.js';

/** What must hold of a cluster started with its production settings, whatever the template says. */
export const DURABLE: Record<string, string> = { fsync: 'on', full_page_writes: 'on' };

export interface ClusterCheck {
  /** The settings in force once restarted: SHOW of each. */
  settings: Record<string, string>;
  tables: TableCheck[];
}

/**
 * The restarted cluster: durable settings in force, and every table of the manifest counted again (count(*), the
 * largest first, over `jobs` sessions) against the manifest, so what is checked is what a client now reads.
 */
export async function checkRestarted(
  target: DbTarget,
  expected: readonly ManifestTable[],
  jobs: number,
): Promise<ClusterCheck> {
  const names = [
    'fsync',
    'full_page_writes',
    'synchronous_commit',
    'wal_level',
    'autovacuum',
    'archive_mode',
    'listen_addresses',
  ];
  const first = await connect(target, { applicationName: 'pgdr new-cluster check' });
  const sessions = [first];
  try {
    const settings: Record<string, string> = {};
    for (const n of names) settings[n] = String((await first.query(`show ${n}`)).rows[0]![n]);
    const wrong = Object.entries(DURABLE).filter(([k, v]) => settings[k] !== v);
    if (wrong.length)
      throw new PgdrError(
        `The restored cluster runs with ${wrong.map(([k]) => `${k} = ${settings[k]}`).join(', ')} after the restart.`,
        {
          hint: `pgdr only hands over a durable cluster: set ${wrong.map(([k, v]) => `${k} = ${v}`).join(', ')} in the postgresql.conf template.`,
        },
      );
    const queue = [...expected].sort((a, b) => b.rows - a.rows);
    for (let i = 1; i < Math.min(jobs, queue.length); i++)
      sessions.push(await connect(target, { applicationName: 'pgdr new-cluster check' }));
    const counted = new Map<ManifestTable, number | null>();
    await Promise.all(
      sessions.map(async (c) => {
        for (let t = queue.shift(); t; t = queue.shift()) counted.set(t, await countRows(c, t));
      }),
    );
    return { settings, tables: sortByLabel(expected).map((t) => tableCheck(t, counted.get(t) ?? null)) };
  } finally {
    await Promise.all(sessions.map((c) => c.end().catch(() => {})));
  }
}
