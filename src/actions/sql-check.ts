import { z } from 'zod';
import { defineAction } from './registry.js';
import { dbArgs, dbTarget } from './db-args.js';
import { withClient, type PgClient } from '../pg/client.js';
import { findTables, keyTableName, tableLabel, type ManifestTable } from '../backup/manifest-tables.js';
import { countRows } from '../backup/table-counts.js';
import { PgdrError, UsageError } from '../core/errors.js';

export class ValidationFailed extends PgdrError {}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** What the runbook engine makes of a query with `${{ }}`: the templates as $1, $2 … and their values. */
const boundQuery = z.object({ text: z.string().min(1), values: z.array(z.unknown()) }).strict();
const tableName = z.object({ schema: z.string(), table: z.string() });
const manifestTable = tableName.extend({
  rows: z.number(),
  parents: z.array(tableName).optional(),
  withChildren: z.literal(true).optional(),
});

/**
 * What atLeastManifest expects: backup.select's structured tables (each counted alone, as the backup counted it), or
 * a hand-written { "schema.table": rows }, counted with its inheritance children and partitions, as one reads it.
 */
function expectedTables(given: z.output<typeof manifestTable>[] | Record<string, number>): ManifestTable[] {
  if (Array.isArray(given)) return given as ManifestTable[];
  return Object.entries(given).map(([key, rows]) => ({ ...keyTableName(key), rows, withChildren: true }));
}

export const sqlCheck = defineAction({
  name: 'sql.check',
  describe:
    'Run a read-only query and check the answer: equals, atLeast, noRows, or every table at least its row count in a backup manifest.',
  with: z
    .object({
      ...dbArgs,
      query: z
        .union([z.string().min(1), boundQuery])
        .optional()
        .describe(
          'One SQL statement, run in a READ ONLY transaction; ${{ }} in it are bind parameters, never SQL; equals/atLeast look at the first column of the first row',
        ),
      equals: scalar.optional(),
      atLeast: z.number().optional(),
      noRows: z.literal(true).optional(),
      atLeastManifest: z
        .union([z.array(manifestTable), z.record(z.string(), z.number())])
        .optional()
        .describe(
          "A backup's tables and rows, e.g. ${{ steps.pick.outputs.rowCounts }}, or { schema.table: rows } (counted with children)",
        ),
      tables: z.array(z.string()).optional().describe('With atLeastManifest: only these tables'),
    })
    .strict()
    .refine(
      (a) =>
        [a.equals !== undefined, a.atLeast !== undefined, a.noRows, a.atLeastManifest].filter(Boolean).length === 1,
      'give exactly one expectation: equals, atLeast, noRows or atLeastManifest',
    )
    .refine((a) => a.atLeastManifest !== undefined || a.query !== undefined, 'equals, atLeast and noRows need a query'),
  templates: { query: 'sql' },
  outputs: ['passed', 'summary', 'value', 'mismatches', 'tables'],
  idempotent: true,
  validation: true,
  targets: [{ field: 'target', access: 'read', defaultTarget: 'primary' }],
  async run(ctx, a) {
    const target = dbTarget(ctx, a);
    const result = await withClient(target, async (client) => {
      await client.query('begin transaction read only');
      try {
        if (a.atLeastManifest) {
          const wanted = expectedTables(a.atLeastManifest).filter(
            (t) => !a.tables || a.tables.some((name) => findTables([t], name).length),
          );
          const mismatches: { table: string; expected: number; actual: number | null }[] = [];
          // Every table's exact count, for the drill record: the restore is proven table by table.
          const tables: { table: string; expected: number; actual: number | null; ok: boolean }[] = [];
          for (const t of wanted) {
            const actual = await countRows(client, t);
            if (actual === null) await client.query('rollback; begin transaction read only');
            const ok = actual !== null && actual >= t.rows;
            tables.push({ table: tableLabel(t), expected: t.rows, actual, ok });
            if (!ok) mismatches.push({ table: tableLabel(t), expected: t.rows, actual });
          }
          const summary =
            mismatches.length === 0
              ? `${wanted.length} table(s) hold at least the manifest's row counts`
              : `${mismatches.length} of ${wanted.length} table(s) below the manifest: ${mismatches
                  .slice(0, 5)
                  .map((m) => `${m.table} ${m.actual ?? 'missing'} < ${m.expected}`)
                  .join(', ')}`;
          return { passed: mismatches.length === 0, summary, mismatches, tables };
        }
        const { rows, fields } = await runOneStatement(client, a.query!);
        const value = rows[0] && fields[0] ? (rows[0] as Record<string, unknown>)[fields[0].name] : undefined;
        if (a.noRows)
          return {
            passed: rows.length === 0,
            summary:
              rows.length === 0
                ? 'no rows, as expected'
                : `expected no rows, got ${rows.length}: ${JSON.stringify(rows[0])}`.slice(0, 300),
          };
        if (a.atLeast !== undefined) {
          const n = Number(value);
          return {
            passed: Number.isFinite(n) && n >= a.atLeast,
            value,
            summary: `${String(value)} ${Number.isFinite(n) && n >= a.atLeast ? '≥' : '<'} ${a.atLeast}`,
          };
        }
        const passed = String(value ?? null) === String(a.equals);
        return {
          passed,
          value,
          summary: passed ? `= ${String(a.equals)}` : `expected ${String(a.equals)}, got ${String(value)}`,
        };
      } finally {
        await client.query('rollback').catch(() => {});
      }
    });
    ctx.log.info(`${result.passed ? 'passed' : 'FAILED'}: ${result.summary}`);
    if (!result.passed)
      throw new ValidationFailed(`Check failed: ${result.summary}.`, {
        hint: 'Look at the data on the target; if the expectation is wrong, fix it in the runbook.',
      });
    return result;
  },
});

/**
 * A prepared statement: the server parses exactly one statement (a `;` outside a literal is refused by PostgreSQL
 * itself), and values travel as parameters, apart from the SQL.
 */
async function runOneStatement(client: PgClient, query: string | z.output<typeof boundQuery>) {
  const { text, values } = typeof query === 'string' ? { text: query, values: [] } : query;
  try {
    return await client.query({ name: 'pgdr_sql_check', text, values });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '42601' && /multiple commands/.test((error as Error).message))
      throw new UsageError(
        'sql.check runs exactly one SQL statement; this query holds several.',
        'Split it into steps, one query each.',
      );
    if (code === '42P18')
      throw new UsageError(
        `sql.check: ${(error as Error).message}.`,
        'Give a ${{ }} that stands alone a type, e.g. ${{ steps.q.outputs.value }}::int.',
      );
    throw error;
  }
}
