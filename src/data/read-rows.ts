import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { UsageError, errorMessage } from '../core/errors.js';
import { parseCsv } from './csv.js';

export type ImportFormat = 'json' | 'csv';

export interface ImportRows {
  columns: string[];
  /** Values as read: strings, numbers, booleans, null, or (JSON only) objects and arrays. */
  rows: unknown[][];
}

export function formatOf(file: string, explicit?: string): ImportFormat {
  const format = explicit ?? extname(file).slice(1).toLowerCase();
  if (format === 'json' || format === 'csv') return format;
  if (format === 'sql')
    throw new UsageError(
      'pgdr import reads JSON and CSV; a .sql export is a script.',
      `Run it in one transaction with: psql --single-transaction -v ON_ERROR_STOP=1 -f ${file}`,
    );
  throw new UsageError(`Cannot tell the format of ${file}.`, 'Name it .json or .csv, or pass --format json|csv.');
}

/** Reads a JSON array of objects (what pgdr export writes), JSON lines, or CSV with a header row. */
export function readRows(file: string, format: ImportFormat): ImportRows {
  const text = readFileSync(file, 'utf8');
  if (format === 'csv') {
    const [header, ...rows] = parseCsv(text);
    if (!header) throw new UsageError(`${file} is empty.`, 'A CSV import needs a header row naming the columns.');
    return { columns: header.map((h) => h ?? ''), rows: rows.filter((r) => !(r.length === 1 && r[0] === null)) };
  }
  let objects: Record<string, unknown>[];
  try {
    const trimmed = text.trim();
    objects = trimmed.startsWith('[')
      ? JSON.parse(trimmed)
      : trimmed
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l));
  } catch (error) {
    throw new UsageError(
      `${file} is not valid JSON: ${errorMessage(error)}`,
      'pgdr import expects an array of objects, or one object per line.',
    );
  }
  if (!Array.isArray(objects) || objects.some((o) => !o || typeof o !== 'object' || Array.isArray(o))) {
    throw new UsageError(`${file} must hold an array of objects, one per row.`, 'e.g. [{"id": 1, "name": "a"}]');
  }
  const columns = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  return { columns, rows: objects.map((o) => columns.map((c) => (c in o ? o[c] : undefined))) };
}
