import { z } from 'zod';
import type { Checked } from '../manifest-schema.js';

/** `export.json`, written last in `exports/<name>/<id>/`: an export without it does not exist. */
export interface ExportManifest {
  formatVersion: 1;
  /** The export's name in pgdr.config.yaml (exports.<name>). */
  name: string;
  /** `20250116T010000Z`: when it ran; also the directory's name. */
  id: string;
  database: string;
  /** Redacted connection URL of the source. */
  source: string;
  /** Every table was read in this one snapshot. */
  snapshotTime: string;
  finishedAt: string;
  format: 'csv' | 'sql' | 'json';
  compression: 'zstd:3' | 'none';
  encryption: null | { format: 'age'; recipients: string[]; passphrase: boolean };
  tables: { table: string; rows: number; path: string; bytes: number; sha256: string }[];
  bytes: number;
  lock?: { mode: 'governance' | 'compliance' | 'local'; until: string };
}

export const EXPORT_MANIFEST = 'export.json';
export const EXPORT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/;
export const EXPORT_ID = /^\d{8}T\d{6}Z$/;
export const MAX_EXPORT_MANIFEST_BYTES = 4 * 1024 * 1024;

const count = z.number().int().nonnegative();
const text = z.string().max(4096);
const time = z.iso.datetime({ offset: true });
const schema = z
  .object({
    formatVersion: z.literal(1),
    name: z.string().regex(EXPORT_NAME),
    id: z.string().regex(EXPORT_ID),
    database: z.string().min(1).max(1000),
    source: text,
    snapshotTime: time,
    finishedAt: time,
    format: z.enum(['csv', 'sql', 'json']),
    compression: z.enum(['zstd:3', 'none']),
    encryption: z
      .object({ format: z.literal('age'), recipients: z.array(text), passphrase: z.boolean() })
      .strict()
      .nullable(),
    tables: z
      .array(
        z
          .object({
            table: text,
            rows: count,
            path: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/, 'is not a file of the export'),
            bytes: count,
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
          })
          .strict(),
      )
      .min(1),
    bytes: count,
    lock: z
      .object({ mode: z.enum(['governance', 'compliance', 'local']), until: time })
      .strict()
      .optional(),
  })
  .strict();

/** The manifest of `exports/<name>/<id>/`, or why it cannot be used: its shape, and its name and id against where it sits. */
export function checkExportManifest(bytes: Buffer, name: string, id: string): Checked<ExportManifest> {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, problem: 'it is not valid JSON' };
  }
  const result = schema.safeParse(json);
  if (!result.success)
    return { ok: false, problem: `it is not an export manifest (${result.error.issues[0]!.path.join('.')})` };
  const m = result.data;
  if (m.name !== name || m.id !== id) return { ok: false, problem: 'its name and id are not those of its directory' };
  if (new Set(m.tables.map((t) => t.path)).size !== m.tables.length)
    return { ok: false, problem: 'it names a file twice' };
  if (m.tables.reduce((s, t) => s + t.bytes, 0) !== m.bytes)
    return { ok: false, problem: "its size is not the sum of its files'" };
  return { ok: true, value: m };
}
