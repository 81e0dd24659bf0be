import { z } from 'zod';
import { printable } from '../core/printable.js';
import { backupTime, safeName } from './backup-id.js';
import type { BackupManifest, VerificationResult } from './manifest.js';

/**
 * A manifest is read from a repository that may be shared or tampered with, so it is data to check, not to trust:
 * its shape, its id against the directory it sits in, and every path it names. Anything else is refused.
 */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** A verification record is small: a restore test's mismatches and some counts. */
export const MAX_VERIFICATION_BYTES = 1024 * 1024;

/** `20250116T143022Z-full-<db>`, as makeBackupId writes it. */
export const BACKUP_ID = /^(\d{8}T\d{6}Z)-(full|schema|tables)-([A-Za-z0-9_.-]{1,60})$/;

export function isBackupId(name: string): boolean {
  return BACKUP_ID.test(name);
}

const count = z.number().int().nonnegative();
const text = z.string().max(4096);
const time = z.iso.datetime({ offset: true });
/** A file inside the backup's directory: "data.dump.zst.age", "data/3012.dat.zst", "roles.sql". */
const filePath = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,200})?$/, 'is not a file of the backup')
  .refine((p) => !/^(manifest\.json|verification\.json|SHA256SUMS)$/.test(p), 'names a file pgdr keeps for itself');
const manifestFile = z.object({ path: filePath, bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

/** Format 1: "schema.table" → rows. Format 2: each table by its two names, its own rows and its parents. */
const rowCounts = z.record(z.string().min(1).max(1000), count);
const tableName = z.object({ schema: z.string().min(1).max(1000), table: z.string().min(1).max(1000) }).strict();
const tableRows = z.array(tableName.extend({ rows: count, parents: z.array(tableName).optional() }).strict());

const manifestSchema = z
  .object({
    formatVersion: z.union([z.literal(1), z.literal(2)]),
    id: z.string().regex(BACKUP_ID, 'is not a backup id'),
    kind: z.enum(['full', 'schema', 'tables']),
    database: z.string().min(1).max(1000),
    source: text,
    snapshotTime: time,
    startedAt: time,
    finishedAt: time,
    durationMs: z.number().nonnegative(),
    server: z.object({ version: text, major: z.number().int().min(9).max(99) }).strict(),
    tools: z.object({ pg_dump: text }).strict(),
    pgdrVersion: text,
    format: z.enum(['custom', 'directory']),
    compression: z
      .object({ dump: z.string().regex(/^(none|gzip:\d)$/), stream: z.string().regex(/^(none|zstd:\d{1,2})$/) })
      .strict(),
    encryption: z
      .object({ format: z.literal('age'), recipients: z.array(text), passphrase: z.boolean() })
      .strict()
      .nullable(),
    tables: z.array(text).optional(),
    excludedSchemas: z.array(text).optional(),
    supabase: z.boolean().optional(),
    bytes: count,
    databaseBytes: count,
    files: z.array(manifestFile).min(1),
    rowCounts: rowCounts.optional(),
    tableRows: tableRows.optional(),
    dataOffsets: z.record(z.string().regex(/^\d{1,10}$/), count).optional(),
    extras: z.array(manifestFile).optional(),
    host: text,
    operator: text,
    lock: z
      .object({ mode: z.enum(['governance', 'compliance', 'local']), until: time })
      .strict()
      .optional(),
  })
  .strict();

const verificationSchema = z
  .object({
    backupId: z.string(),
    verifiedAt: time,
    ok: z.boolean(),
    checksum: z.enum(['ok', 'mismatch', 'missing']),
    decrypted: z.boolean().optional(),
    restoreTest: z
      .object({
        scratchDatabase: text,
        tablesChecked: count,
        mismatches: z.array(z.object({ table: text, expected: count, actual: count.nullable() }).strict()),
        objects: z
          .object({
            policies: count,
            indexes: count,
            functions: count,
            extensions: z.array(text),
            triggers: count,
            views: count,
          })
          .strict(),
        durationMs: z.number().nonnegative(),
      })
      .strict()
      .optional(),
    errors: z.array(text),
  })
  .strict();

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const DAY = 86_400_000;

/**
 * The manifest of `backups/<dir>/`, or why it cannot be used. Beyond its shape: the id is the directory's name and
 * says the manifest's own kind and database, the snapshot was taken within a day of the id's time and not in the
 * future, no file is named twice, and the sizes add up.
 */
export function checkManifest(bytes: Buffer, dir: string, now: Date = new Date()): Checked<BackupManifest> {
  const parsed = parseJson(bytes);
  if (!parsed.ok) return parsed;
  const result = manifestSchema.safeParse(parsed.value);
  if (!result.success) return { ok: false, problem: describeIssue(result.error) };
  const m = result.data;
  if (m.formatVersion === 1 ? !m.rowCounts || m.tableRows : !m.tableRows || m.rowCounts)
    return {
      ok: false,
      problem: `format ${m.formatVersion} lists its tables ${m.formatVersion === 1 ? 'as rowCounts' : 'as tableRows'}, and only so`,
    };
  if (m.id !== dir) return { ok: false, problem: `its id "${m.id}" is not the name of its directory` };
  const [, , kind, name] = BACKUP_ID.exec(m.id)!;
  if (kind !== m.kind || name !== safeName(m.database))
    return { ok: false, problem: `its id does not match its kind "${m.kind}" and database` };
  const snapshot = new Date(m.snapshotTime).getTime();
  const idTime = backupTime(m.id)?.getTime() ?? NaN;
  if (!(Math.abs(snapshot - idTime) <= DAY))
    return { ok: false, problem: 'its snapshot time is not the time of its id' };
  if (snapshot > now.getTime() + DAY) return { ok: false, problem: 'its snapshot time is in the future' };
  const files = [...m.files, ...(m.extras ?? [])];
  if (new Set(files.map((f) => f.path)).size !== files.length) return { ok: false, problem: 'it names a file twice' };
  if (files.reduce((sum, f) => sum + f.bytes, 0) !== m.bytes)
    return { ok: false, problem: "its size is not the sum of its files' sizes" };
  return { ok: true, value: m as BackupManifest };
}

/** The verification record of `backups/<dir>/`, or why it is ignored. */
export function checkVerification(bytes: Buffer, dir: string): Checked<VerificationResult> {
  const parsed = parseJson(bytes);
  if (!parsed.ok) return parsed;
  const result = verificationSchema.safeParse(parsed.value);
  if (!result.success) return { ok: false, problem: describeIssue(result.error) };
  if (result.data.backupId !== dir) return { ok: false, problem: 'it is the record of another backup' };
  if (result.data.ok !== (result.data.errors.length === 0))
    return { ok: false, problem: 'its verdict does not match its errors' };
  return { ok: true, value: result.data };
}

function parseJson(bytes: Buffer): Checked<unknown> {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    return { ok: false, problem: 'it is not valid JSON (truncated or damaged)' };
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = printable(issue.path.map(String).join('.'));
  if (issue.code === 'unrecognized_keys')
    return `it has fields pgdr does not know (${issue.keys.slice(0, 3).map(printable).join(', ')})`;
  if (issue.code === 'invalid_type' && /received undefined/i.test(issue.message))
    return `it lacks the field ${where || '(root)'}`;
  return where
    ? `its field ${where} ${issue.message.replace(/^Invalid input: /, '').toLowerCase()}`
    : 'it is not a manifest';
}
