import { PgdrError, UsageError, errorMessage } from '../core/errors.js';
import type { PgClient } from '../pg/client.js';
import { quoteIdent } from '../pg/client.js';
import type { ImportRows } from './read-rows.js';
import { tableInfo, type ColumnInfo, type TableInfo } from './table-info.js';

export class ImportRejected extends PgdrError {}

export interface ImportOptions {
  table: string;
  mode: 'insert' | 'upsert';
  truncate?: boolean;
  dryRun?: boolean;
  /** Write the valid rows and report the others instead of refusing the whole file. */
  skipInvalid?: boolean;
}

export interface RejectedRow {
  /** 1-based, as in the file (header not counted). */
  row: number;
  reason: string;
}

export interface ImportReport {
  table: string;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: RejectedRow[];
  truncated: boolean;
  committed: boolean;
}

/**
 * Checks the file's columns against the table and every value against its column type before writing, then
 * writes all rows in one transaction: nothing is visible unless everything (or, with skipInvalid, every valid row) went in.
 */
export async function importRows(client: PgClient, data: ImportRows, options: ImportOptions): Promise<ImportReport> {
  const info = await tableInfo(client, options.table);
  const columns = checkColumns(info, data.columns, options.mode);
  const rejected: RejectedRow[] = [];
  const values = data.rows.map((row, i) => toParams(row, columns, i + 1, rejected));
  await checkTypes(client, columns, values, rejected);

  const report: ImportReport = {
    table: `${info.schema}.${info.name}`,
    rows: data.rows.length,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected,
    truncated: false,
    committed: false,
  };
  if (rejected.length && !options.skipInvalid) throw rejectedError(report);

  const statement = insertSql(info, columns, options.mode);
  await client.query('begin');
  try {
    if (options.truncate) {
      await client.query(`truncate table ${info.sql}`).catch((error: Error) => {
        throw new UsageError(
          `Could not truncate ${report.table}: ${error.message}`,
          'Other tables reference it; import into those too, or drop --truncate and use --mode upsert.',
        );
      });
      report.truncated = true;
    }
    const badRows = new Set(rejected.map((r) => r.row));
    for (let i = 0; i < values.length; i++) {
      if (badRows.has(i + 1)) continue;
      await client.query('savepoint pgdr_row');
      try {
        const result = await client.query<{ inserted: boolean }>(statement, values[i]);
        const r = result.rows[0];
        if (!r) report.unchanged++;
        else if (r.inserted) report.inserted++;
        else report.updated++;
        await client.query('release savepoint pgdr_row');
      } catch (error) {
        await client.query('rollback to savepoint pgdr_row');
        rejected.push({ row: i + 1, reason: errorMessage(error) });
      }
    }
    rejected.sort((a, b) => a.row - b.row);
    if (options.dryRun || (rejected.length && !options.skipInvalid)) {
      await client.query('rollback');
      if (!options.dryRun) throw rejectedError(report);
      return report;
    }
    await client.query('commit');
    report.committed = true;
    return report;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

function checkColumns(info: TableInfo, fileColumns: string[], mode: ImportOptions['mode']): ColumnInfo[] {
  const byName = new Map(info.columns.map((c) => [c.name, c]));
  const unknown = fileColumns.filter((c) => !byName.has(c));
  const table = `${info.schema}.${info.name}`;
  if (unknown.length)
    throw new UsageError(
      `${unknown.join(', ')} ${unknown.length > 1 ? 'are not columns' : 'is not a column'} of ${table}.`,
      `Its columns: ${info.columns.map((c) => c.name).join(', ')}. Rename the file's columns or drop them.`,
    );
  const generated = fileColumns.filter((c) => byName.get(c)!.generated);
  if (generated.length)
    throw new UsageError(
      `${generated.join(', ')} in ${table} ${generated.length > 1 ? 'are' : 'is'} generated and cannot be written.`,
      'Remove those columns from the file.',
    );
  const missing = info.columns.filter(
    (c) => c.notNull && !c.hasDefault && !c.generated && !fileColumns.includes(c.name),
  );
  if (missing.length)
    throw new UsageError(
      `The file has no ${missing.map((c) => c.name).join(', ')}, which ${table} requires (NOT NULL, no default).`,
      'Add the column to the file.',
    );
  if (mode === 'upsert') {
    if (info.primaryKey.length === 0)
      throw new UsageError(
        `${table} has no primary key, so --mode upsert cannot match rows.`,
        'Use --mode insert (with --truncate to replace the contents).',
      );
    const lacking = info.primaryKey.filter((k) => !fileColumns.includes(k));
    if (lacking.length)
      throw new UsageError(
        `--mode upsert needs the primary key column${lacking.length > 1 ? 's' : ''} ${lacking.join(', ')} in the file.`,
        'Add them, or use --mode insert.',
      );
  }
  return fileColumns.map((c) => byName.get(c)!);
}

/** JSON values to text parameters; objects only go into json/jsonb columns. */
function toParams(row: unknown[], columns: ColumnInfo[], rowNo: number, rejected: RejectedRow[]): (string | null)[] {
  return columns.map((col, i) => {
    const v = row[i];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (/^jsonb?$/.test(col.type)) return JSON.stringify(v);
    if (Array.isArray(v) && col.category === 'A') return pgArray(v);
    rejected.push({
      row: rowNo,
      reason: `${col.name}: a JSON ${Array.isArray(v) ? 'array' : 'object'} cannot go into a ${col.type} column`,
    });
    return null;
  });
}

function pgArray(values: unknown[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : Array.isArray(v) ? pgArray(v) : `"${String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;
}

/** Casts every row's values to the column types without writing anything; a failing cast rejects the row. */
async function checkTypes(
  client: PgClient,
  columns: ColumnInfo[],
  values: (string | null)[][],
  rejected: RejectedRow[],
): Promise<void> {
  const casts = columns.map((c, i) => `$${i + 1}::${c.type}`).join(', ');
  const already = new Set(rejected.map((r) => r.row));
  for (let i = 0; i < values.length; i++) {
    if (already.has(i + 1)) continue;
    try {
      await client.query(`select ${casts}`, values[i]);
    } catch (error) {
      rejected.push({ row: i + 1, reason: errorMessage(error) });
    }
  }
}

function insertSql(info: TableInfo, columns: ColumnInfo[], mode: ImportOptions['mode']): string {
  const names = columns.map((c) => quoteIdent(c.name));
  const insert = `insert into ${info.sql} (${names.join(', ')}) values (${columns.map((c, i) => `$${i + 1}::${c.type}`).join(', ')})`;
  if (mode === 'insert') return `${insert} returning true as inserted`;
  const updates = columns
    .filter((c) => !info.primaryKey.includes(c.name))
    .map((c) => `${quoteIdent(c.name)} = excluded.${quoteIdent(c.name)}`);
  const conflict = `on conflict (${info.primaryKey.map(quoteIdent).join(', ')})`;
  // xmax = 0 only on a freshly inserted row version: it tells inserted from updated.
  return updates.length
    ? `${insert} ${conflict} do update set ${updates.join(', ')} returning (xmax = 0) as inserted`
    : `${insert} ${conflict} do nothing returning true as inserted`;
}

function rejectedError(report: ImportReport): ImportRejected {
  const first = report.rejected
    .slice(0, 5)
    .map((r) => `row ${r.row}: ${r.reason}`)
    .join('\n  ');
  return new ImportRejected(
    `${report.rejected.length} of ${report.rows} rows of the file cannot go into ${report.table}; nothing was written:\n  ${first}`,
    {
      hint: 'Fix those rows, or pass --skip-invalid to import the others and report these.',
    },
  );
}
