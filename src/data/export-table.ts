import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { UsageError } from '../core/errors.js';
import type { PgClient } from '../pg/client.js';
import { quoteIdent, quoteLiteral } from '../pg/client.js';
import { anonymize, checkAnonymizeColumns, type AnonymizeRules } from './anonymize.js';
import { csvLine } from './csv.js';
import { tableInfo, type TableInfo } from './table-info.js';

export const EXPORT_FORMATS = ['json', 'csv', 'sql'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportTableOptions {
  table: string;
  /** A SQL condition, run inside a read-only transaction so it cannot change anything. */
  where?: string;
  format: ExportFormat;
  anonymize?: AnonymizeRules;
  /** Rows fetched per round trip: memory stays bounded by one batch whatever the table's size. */
  batchRows?: number;
  onProgress?: (rows: number) => void;
}

export interface ExportResult {
  table: string;
  rows: number;
}

/** Exports one table in a read-only repeatable-read transaction, streaming through a server-side cursor. */
export async function exportTable(client: PgClient, options: ExportTableOptions, out: Writable): Promise<ExportResult> {
  await client.query('begin isolation level repeatable read read only');
  try {
    const info = await tableInfo(client, options.table);
    const rows = await exportRows(
      client,
      info,
      {
        where: options.where,
        format: options.format,
        anonymize: options.anonymize ?? {},
        batchRows: options.batchRows,
        onProgress: options.onProgress,
      },
      out,
    );
    return { table: `${info.schema}.${info.name}`, rows };
  } finally {
    await client.query('rollback').catch(() => {});
  }
}

export interface RowsQuery {
  where?: string;
  params?: unknown[];
  format: ExportFormat;
  anonymize: AnonymizeRules;
  batchRows?: number;
  onProgress?: (rows: number) => void;
}

let cursors = 0;

/** Streams the rows of `info` matching `where` to `out`; the caller holds the transaction the cursor lives in. */
export async function exportRows(client: PgClient, info: TableInfo, query: RowsQuery, out: Writable): Promise<number> {
  const names = info.columns.map((c) => c.name);
  checkAnonymizeColumns(query.anonymize, names, `${info.schema}.${info.name}`);
  if (query.where !== undefined && /;\s*\S/.test(query.where)) {
    throw new UsageError(
      '--where must be a single condition, not several statements.',
      'e.g. --where "created_at > now() - interval \'7 days\'"',
    );
  }
  const filter = query.where ? ` where ${query.where}` : '';
  const select =
    query.format === 'json'
      ? `select row_to_json(t)::text from (select * from ${info.sql}${filter}) t`
      : `select ${names.map((n) => `${quoteIdent(n)}::text`).join(', ')} from ${info.sql}${filter}`;
  const cursor = `pgdr_export_${++cursors}`;
  await client.query(`declare ${cursor} no scroll cursor for ${select}`, query.params);
  const writer = rowWriter(query.format, info, query.anonymize);
  let count = 0;
  await write(out, writer.begin);
  try {
    for (;;) {
      const batch = await client.query<unknown[]>({
        text: `fetch ${query.batchRows ?? 1000} from ${cursor}`,
        rowMode: 'array',
      });
      for (const row of batch.rows) {
        await write(out, writer.row(row as (string | null)[], count === 0));
        count++;
      }
      query.onProgress?.(count);
      if (batch.rows.length === 0) break;
    }
  } finally {
    await client.query(`close ${cursor}`).catch(() => {});
  }
  await write(out, writer.end);
  return count;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (chunk && !out.write(chunk)) await once(out, 'drain');
}

interface RowWriter {
  begin: string;
  row(values: (string | null)[], first: boolean): string;
  end: string;
}

function rowWriter(format: ExportFormat, info: TableInfo, rules: AnonymizeRules): RowWriter {
  const names = info.columns.map((c) => c.name);
  const apply = (values: (string | null)[]) =>
    values.map((v, i) => (rules[names[i]!] ? anonymize(v, rules[names[i]!]!) : v));
  if (format === 'json') {
    return {
      begin: '[\n',
      row: ([text], first) => {
        const obj = JSON.parse(text as string) as Record<string, unknown>;
        for (const [col, method] of Object.entries(rules)) {
          const v = obj[col];
          obj[col] = anonymize(
            v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v),
            method,
          );
        }
        return `${first ? '' : ',\n'}${JSON.stringify(obj)}`;
      },
      end: '\n]\n',
    };
  }
  if (format === 'csv') return { begin: csvLine(names), row: (values) => csvLine(apply(values)), end: '' };
  const head = `insert into ${info.sql} (${names.map(quoteIdent).join(', ')}) values (`;
  return {
    begin: `-- ${info.schema}.${info.name}, exported by pgdr\nbegin;\n`,
    row: (values) =>
      `${head}${apply(values)
        .map((v) => (v === null ? 'null' : quoteLiteral(v)))
        .join(', ')});\n`,
    end: 'commit;\n',
  };
}
