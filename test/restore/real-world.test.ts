import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql } from '../helpers/cluster.js';
import { tableFingerprints } from '../helpers/compare.js';
import { databaseProperties, loadOddDatabase } from '../helpers/odd-db.js';
import { runPgdr } from '../helpers/cli.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let repo: string;
let fullId: string;
let tablesId: string;
let fullSummary: { tables: number; rows: number };

const manifestOf = (id: string) => JSON.parse(readFileSync(join(repo, 'backups', id, 'manifest.json'), 'utf8'));

async function restore(args: string[], into: string, from = repo) {
  const r = await runPgdr([
    'restore',
    ...args,
    '--repo',
    from,
    '--db',
    cluster.urlFor('odd'),
    '--new-db',
    into,
    '--json',
  ]);
  return { ...r, json: r.stdout.startsWith('{') ? JSON.parse(r.stdout) : undefined };
}

/** The restored database holds what the source holds: every table's rows, large objects, database settings. */
async function expectSameAsSource(database: string) {
  expect(await tableFingerprints(cluster.target(database))).toEqual(await tableFingerprints(cluster.target('odd')));
  expect(await databaseProperties(cluster.target(database))).toEqual(await databaseProperties(cluster.target('odd')));
}

describe('restores that are right on a real-world database: inheritance, odd names, database settings', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await loadOddDatabase(cluster, 'odd');
    repo = mkdtempSync(join(tmpdir(), 'pgdr-real-world-'));
    const full = await runPgdr(['backup', '--db', cluster.urlFor('odd'), '--repo', repo, '--json']);
    expect(full.code, full.stderr).toBe(0);
    fullSummary = JSON.parse(full.stdout);
    fullId = JSON.parse(full.stdout).id;
    const tables = await runPgdr([
      'backup',
      'tables',
      '--table',
      'sales.o2',
      '--db',
      cluster.urlFor('odd'),
      '--repo',
      repo,
      '--json',
    ]);
    expect(tables.code, tables.stderr).toBe(0);
    tablesId = JSON.parse(tables.stdout).id;
  });

  it("the manifest names every table by its two parts, with its own rows and its parents; the total is the database's", async () => {
    const m = manifestOf(fullId);
    expect(m.formatVersion).toBe(2);
    const find = (schema: string, table: string) =>
      m.tableRows.find((t: { schema: string; table: string }) => t.schema === schema && t.table === table);
    expect(find('s.p', 't')).toMatchObject({ rows: 2 });
    expect(find('s', 'p.t')).toMatchObject({ rows: 3 });
    expect(find('public', 'a_parent')).toEqual({ schema: 'public', table: 'a_parent', rows: 2 });
    expect(find('public', 'z_child')).toEqual({
      schema: 'public',
      table: 'z_child',
      rows: 20000,
      parents: [{ schema: 'public', table: 'a_parent' }],
    });
    expect(find('public', 'zz_grandchild').parents).toEqual([{ schema: 'public', table: 'z_child' }]);
    expect(find('public', 'Quote"Tbl')).toMatchObject({ rows: 2 });
    expect(find('MixedCase', 'Orders')).toMatchObject({ rows: 7 });
    // Ten tables, each row counted once: 2 + 20000 + 50 (the inheritance tree) + 2 + 3 + 7 + 2 + 5 + 40 + 2.
    expect(m.tableRows).toHaveLength(10);
    expect(fullSummary).toMatchObject({ tables: 10, rows: 20113 });
  });

  for (const jobs of ['1', '2']) {
    it(`a full restore with --jobs ${jobs} exits 0, every count right, data and database settings equal`, async () => {
      const into = `odd_full_j${jobs}`;
      const r = await restore([fullId, '--jobs', jobs], into);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.mismatches).toBe(0);
      expect(r.json.tables.map((t: { table: string }) => t.table)).toEqual(
        expect.arrayContaining([
          '"s.p".t',
          's."p.t"',
          '"MixedCase"."Orders"',
          'public."Quote""Tbl"',
          'public.a_parent',
        ]),
      );
      await expectSameAsSource(into);
      // The server's own warning (the publication on a server without wal_level=logical) is in the summary.
      expect(r.json.warnings.join('\n')).toContain('wal_level is insufficient to publish logical changes');
      expect(r.json.databaseSettings.applied).toBe(true);
    });
  }

  it("in place, the database keeps its own settings; the plan says so and the summary lists the backup's", async () => {
    await psql(cluster, 'postgres', 'create database odd_in_place template odd');
    const before = await databaseProperties(cluster.target('odd_in_place'));
    const args = [
      'restore',
      fullId,
      '--repo',
      repo,
      '--db',
      cluster.urlFor('odd_in_place'),
      '--clean',
      '--confirm',
      'odd_in_place',
      '--no-safety-snapshot',
    ];
    const plan = await runPgdr([...args, '--dry-run']);
    expect(plan.stdout).toContain("List the source database's settings the archive records, without applying them");
    const r = await runPgdr(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("odd_in_place keeps its own settings; the backup's, not applied in place:");
    expect(r.stdout).toContain(`alter database "odd_in_place" set "TimeZone" to 'Pacific/Chatham'`);
    expect(await databaseProperties(cluster.target('odd_in_place'))).toEqual(before);
    const fresh = await runPgdr(['restore', fullId, '--repo', repo, '--db', cluster.urlFor('odd'), '--dry-run']);
    expect(fresh.stdout).toContain("the source database's settings, privileges, comment and owner");
  });

  it('a restore ten times in a row, alternating one and two jobs, is right every time', async () => {
    for (let i = 0; i < 10; i++) {
      const into = `odd_loop_${i}`;
      const r = await restore([fullId, '--jobs', String(1 + (i % 2))], into);
      expect(r.code, `run ${i}: ${r.stderr}`).toBe(0);
      expect(r.json.mismatches).toBe(0);
      await psql(cluster, 'postgres', `drop database ${into}`);
    }
  });

  it('a backup whose manifest has the format-1 row counts ("schema.table" → count with children) still restores and verifies', async () => {
    const old = mkdtempSync(join(tmpdir(), 'pgdr-format-1-'));
    cpSync(join(repo, 'backups', fullId), join(old, 'backups', fullId), { recursive: true });
    const { tableRows, ...rest } = manifestOf(fullId);
    const withChildren: Record<string, number> = { 'public.a_parent': 20052, 'public.z_child': 20050 };
    const rowCounts = Object.fromEntries(
      (tableRows as { schema: string; table: string; rows: number }[])
        // "s.p".t and s."p.t" were one key in format 1: such a backup cannot tell them apart.
        .filter((t) => t.schema !== 's.p' && t.schema !== 's')
        .map((t) => [`${t.schema}.${t.table}`, withChildren[`${t.schema}.${t.table}`] ?? t.rows]),
    );
    writeFileSync(
      join(old, 'backups', fullId, 'manifest.json'),
      JSON.stringify({ ...rest, formatVersion: 1, rowCounts }, null, 2),
    );
    for (const jobs of ['1', '2']) {
      const r = await restore([fullId, '--jobs', jobs], `odd_format1_j${jobs}`, old);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json).toMatchObject({ ok: true, mismatches: 0 });
    }
    // The archive says which tables inherit from which, so --table on a parent works with the old format too.
    const parent = await restore([fullId, '--table', 'a_parent'], 'odd_format1_parent', old);
    expect(parent.code, parent.stderr).toBe(0);
    expect(parent.json.tables).toHaveLength(3);
    const v = await runPgdr([
      'backup',
      'verify',
      fullId,
      '--repo',
      old,
      '--restore-test',
      '--scratch-db',
      cluster.urlFor('postgres'),
      '--json',
    ]);
    expect(JSON.parse(v.stdout).restoreTest.mismatches).toEqual([]);
  });

  it('backup verify --restore-test agrees with the restore', async () => {
    const v = await runPgdr([
      'backup',
      'verify',
      fullId,
      '--repo',
      repo,
      '--restore-test',
      '--scratch-db',
      cluster.urlFor('postgres'),
      '--json',
    ]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const result = JSON.parse(v.stdout);
    expect(result.ok).toBe(true);
    expect(result.restoreTest.mismatches).toEqual([]);
    expect(result.restoreTest.tablesChecked).toBe(10);
  });

  it('--table on an inheritance parent brings back its children too, each count right', async () => {
    const r = await restore([fullId, '--table', 'a_parent'], 'odd_parent');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.tables.map((t: { table: string }) => t.table)).toEqual([
      'public.a_parent',
      'public.z_child',
      'public.zz_grandchild',
    ]);
    const source = await tableFingerprints(cluster.target('odd'));
    const restored = await tableFingerprints(cluster.target('odd_parent'));
    for (const t of ['public.a_parent', 'public.z_child', 'public.zz_grandchild'])
      expect(restored[t]).toEqual(source[t]);
    expect(await psql(cluster, 'odd_parent', 'select count(*) from a_parent')).toBe('20052\n');
  });

  it('--table names the dotted and quoted tables apart, and says which foreign key it left out', async () => {
    const dotted = await restore([fullId, '--table', '"s.p".t', '--table', 's."p.t"'], 'odd_dotted');
    expect(dotted.code, dotted.stderr).toBe(0);
    expect(dotted.json.tables.map((t: { table: string; actual: number }) => [t.table, t.actual])).toEqual([
      ['"s.p".t', 2],
      ['s."p.t"', 3],
    ]);
    const o2 = await restore([fullId, '--table', 'sales.o2'], 'odd_o2');
    expect(o2.code, o2.stderr).toBe(0);
    expect(o2.json.warnings.join('\n')).toMatch(/FK CONSTRAINT sales\.o2 o2_customer_id_fkey/);
  });

  it('a tables backup of a table outside public restores into a new database', async () => {
    const r = await restore([tablesId], 'odd_tables');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.tables).toMatchObject([{ table: 'sales.o2', expected: 40, actual: 40, ok: true }]);
    // The table came without public.customers: its foreign key to it cannot, and the summary says so.
    expect(r.json.warnings.join('\n')).toContain(
      'FK CONSTRAINT sales.o2 o2_customer_id_fkey (references public.customers)',
    );
    await psql(cluster, 'postgres', 'create database odd_rows template odd');
    await psql(cluster, 'odd_rows', 'delete from sales.o2 where id <= 5');
    const rows = await runPgdr([
      'restore',
      tablesId,
      '--repo',
      repo,
      '--db',
      cluster.urlFor('odd_rows'),
      '--rows',
      'sales.o2:id <= 5',
      '--json',
    ]);
    expect(rows.code, rows.stderr).toBe(0);
    expect(JSON.parse(rows.stdout).rows).toMatchObject({ matched: 5, inserted: 5 });
  });

  it('a copied backup directory restores wherever it lies, and leaves no temporary directory behind', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'pgdr-copied-'));
    cpSync(join(repo, 'backups', fullId), join(copy, fullId), { recursive: true });
    const staging = mkdtempSync(join(tmpdir(), 'pgdr-test-staging-'));
    const r = await runPgdr(
      ['restore', join(copy, fullId), '--db', cluster.urlFor('odd'), '--new-db', 'odd_copy', '--json'],
      { env: { TMPDIR: staging } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).mismatches).toBe(0);
    expect(readdirSync(staging)).toEqual([]);
    // Restoring over a database takes a safety snapshot first, which needs a repository: the copy is not one.
    const inPlace = await runPgdr([
      'restore',
      join(copy, fullId),
      '--db',
      cluster.urlFor('odd'),
      '--clean',
      '--confirm',
      'odd',
    ]);
    expect(inPlace.code).toBe(2);
    expect(inPlace.stderr).toContain('needs a repository');
  });
});
