import type { BackupManifest, ManifestTable, TableName } from './manifest.js';
import { printable } from '../core/printable.js';

export type { ManifestTable, TableName } from './manifest.js';

/**
 * The manifest's tables, whatever its format: format 2 lists them structured; format 1 keyed them "schema.table",
 * which is split at the dot that names a table in `known` (the archive's or the database's tables), else at the first.
 */
export function manifestTables(
  manifest: Pick<BackupManifest, 'tableRows' | 'rowCounts'>,
  known: readonly TableName[] = [],
): ManifestTable[] {
  if (manifest.tableRows) return manifest.tableRows;
  return Object.entries(manifest.rowCounts ?? {}).map(([key, rows]) => {
    const splits = [...key.matchAll(/\./g)].map((m) => ({
      schema: key.slice(0, m.index),
      table: key.slice(m.index + 1),
    }));
    const name = splits.find((s) => known.some((k) => sameTable(k, s))) ??
      splits[0] ?? { schema: 'public', table: key };
    return { ...name, rows, withChildren: true };
  });
}

export const sameTable = (a: TableName, b: TableName): boolean => a.schema === b.schema && a.table === b.table;

/** A Map key for a table (names may hold any character, so the two parts are kept apart). */
export const tableId = (t: TableName): string => JSON.stringify([t.schema, t.table]);

/**
 * How the operator reads a table's name: each part double-quoted when it is not a plain lower-case identifier, and a
 * control character in it shown escaped (a name is whatever the database's users created: it must not print lines).
 */
export function tableLabel(t: TableName): string {
  const part = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
  return printable(`${part(t.schema)}.${part(t.table)}`);
}

/** A name as the operator typed it, `schema.table` or `table`, each part maybe double-quoted (`"s.p"."Quote""Tbl"`). */
interface TypedName {
  schema?: { text: string; quoted: boolean };
  table: { text: string; quoted: boolean };
}

function parseTyped(text: string): TypedName | undefined {
  const part = String.raw`"(?:[^"]|"")+"|[^".]+`;
  const m = new RegExp(`^(?:(${part})\\.)?(${part})$`).exec(text.trim());
  if (!m) return undefined;
  const read = (s: string) =>
    s.startsWith('"') ? { text: s.slice(1, -1).replace(/""/g, '"'), quoted: true } : { text: s, quoted: false };
  return { ...(m[1] !== undefined ? { schema: read(m[1]) } : {}), table: read(m[2]!) };
}

/**
 * A "schema.table" key written by hand or by a format-1 manifest: split at the first dot as written, unless quotes
 * say where the parts are (`"s.p".t`; unquoted parts are then folded to lower case, as PostgreSQL does).
 */
export function keyTableName(key: string): TableName {
  const typed = key.includes('"') ? parseTyped(key) : undefined;
  if (typed) {
    const read = (p: { text: string; quoted: boolean }) => (p.quoted ? p.text : p.text.toLowerCase());
    return { schema: typed.schema ? read(typed.schema) : 'public', table: read(typed.table) };
  }
  const dot = key.indexOf('.');
  return dot < 0 ? { schema: 'public', table: key } : { schema: key.slice(0, dot), table: key.slice(dot + 1) };
}

/**
 * The tables among `tables` that the operator's `name` means: as typed first, then with unquoted parts lower-cased
 * as PostgreSQL folds them; a bare table name prefers the one in public. An unquoted dotted name ("s.p.t") matches
 * the historic "schema.table" key.
 */
export function findTables<T extends TableName>(tables: readonly T[], name: string): T[] {
  const typed = parseTyped(name);
  if (!typed) return tables.filter((t) => tableLabel(t) === name || `${t.schema}.${t.table}` === name);
  const want = (p: { text: string; quoted: boolean }, fold: boolean) =>
    fold && !p.quoted ? p.text.toLowerCase() : p.text;
  const match = (fold: boolean) =>
    tables.filter(
      (t) => (!typed.schema || t.schema === want(typed.schema, fold)) && t.table === want(typed.table, fold),
    );
  const exact = match(false);
  const found = exact.length ? exact : match(true);
  if (typed.schema || found.length <= 1) return found;
  const inPublic = found.filter((t) => t.schema === 'public');
  return inPublic.length === 1 ? inPublic : found;
}
