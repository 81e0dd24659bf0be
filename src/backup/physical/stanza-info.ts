import { z } from 'zod';
import { PgdrError } from '../../core/errors.js';
import { printable } from '../../core/printable.js';
import { ProcessFailed } from '../../core/system.js';
import { runPgbackrest, type PgbackrestTarget } from './pgbackrest-command.js';

/** One backup set of a stanza: a full, or a differential / incremental on top of the sets it references. */
export interface PhysicalSet {
  label: string;
  type: 'full' | 'diff' | 'incr';
  /** The set this one is based on (diff: the full; incr: the previous set); none for a full. */
  prior?: string;
  /** Every set a restore of this one also reads. */
  reference: string[];
  start: Date;
  stop: Date;
  /** The cluster's size when the set was taken. */
  databaseBytes: number;
  /** What this set copied from the cluster (all of it for a full). */
  deltaBytes: number;
  /** What this set added to the repository, compressed. */
  repoDeltaBytes: number;
  /** First and last WAL segment needed to make the set consistent. */
  walStart?: string;
  walStop?: string;
  /** pgBackRest marked it as having a page checksum error. */
  error: boolean;
  /** Sets of an earlier cluster (before a stanza-upgrade) cannot restore the current one. */
  current: boolean;
}

export interface StanzaInfo {
  stanza: string;
  status: { code: number; message: string };
  pgMajor: number | undefined;
  /** Oldest first (by stop time). */
  sets: PhysicalSet[];
  archive: { id: string; min: string; max: string } | undefined;
  /** A backup (or expire) holds the stanza's lock right now. */
  busy: boolean;
}

export class StanzaUnavailable extends PgdrError {}

const count = z.number().int().nonnegative();
const label = z.string().regex(/^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?$/, 'is not a pgBackRest backup label');
const wal = z.string().regex(/^[0-9A-F]{24}$/, 'is not a WAL segment name');
const text = z.string().max(1000);

// pgBackRest adds fields from one version to the next: unknown keys are dropped, the ones pgdr uses are checked.
const setSchema = z.object({
  label,
  type: z.enum(['full', 'diff', 'incr']),
  error: z.boolean().optional(),
  prior: label.nullable().optional(),
  reference: z.array(label).nullable().optional(),
  timestamp: z.object({ start: count, stop: count }),
  archive: z.object({ start: wal.nullable(), stop: wal.nullable() }),
  database: z.object({ id: count }),
  info: z
    .object({ size: count, delta: count, repository: z.object({ delta: count.optional() }).optional() })
    .optional(),
});
const stanzaSchema = z.object({
  name: text,
  status: z.object({
    code: z.number().int(),
    message: text,
    lock: z.object({ backup: z.object({ held: z.boolean() }).optional() }).optional(),
  }),
  db: z.array(z.object({ id: count, version: z.string().regex(/^\d{1,2}(\.\d+)?$/) })).optional(),
  archive: z
    .array(z.object({ id: text, min: wal.nullable(), max: wal.nullable(), database: z.object({ id: count }) }))
    .optional(),
  backup: z.array(setSchema).optional(),
});
const infoSchema = z.array(stanzaSchema).max(10_000);

/** `pgbackrest info --output=json` for one stanza, checked: what pgBackRest printed is data like any other. */
export async function readStanza(
  target: PgbackrestTarget,
  options: { signal?: AbortSignal } = {},
): Promise<StanzaInfo> {
  let text: string;
  try {
    text = await runPgbackrest(target, 'info', ['--output=json'], options);
  } catch (error) {
    throw new StanzaUnavailable(
      `pgbackrest info for stanza "${printable(target.stanza)}" failed: ${error instanceof ProcessFailed ? printable(error.stderr.trim().split('\n').at(-1) ?? '') : String(error)}`,
      {
        hint: `Check the stanza name and the pgBackRest configuration${target.configPath ? ` (${target.configPath})` : ''}; pgdr pitr setup --write creates it.`,
        cause: error,
      },
    );
  }
  return parseStanzaInfo(text, target);
}

export function parseStanzaInfo(text: string, target: PgbackrestTarget): StanzaInfo {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = infoSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StanzaUnavailable(
      `pgbackrest info printed something pgdr cannot use${issue ? ` (${printable(issue.path.join('.'))}: ${printable(issue.message)})` : ''}.`,
      { hint: 'Check the pgBackRest version (pgbackrest version; 2.x is supported) and run pgbackrest info by hand.' },
    );
  }
  const stanza = parsed.data.find((s) => s.name === target.stanza);
  if (!stanza)
    throw new StanzaUnavailable(`pgBackRest knows no stanza "${printable(target.stanza)}".`, {
      hint: 'List them with: pgbackrest info',
    });
  if (stanza.status.code !== 0 && stanza.status.code !== 2) {
    throw new StanzaUnavailable(
      `pgBackRest stanza "${printable(target.stanza)}" is not usable: ${printable(stanza.status.message)} (code ${stanza.status.code}).`,
      { hint: 'Run pgdr pitr setup --write (stanza-create + check), then take a full backup.' },
    );
  }
  const currentDb = stanza.db?.at(-1);
  const archiveJson = stanza.archive?.find((a) => a.database.id === currentDb?.id && a.min && a.max);
  const sets = (stanza.backup ?? [])
    .map((b): PhysicalSet => ({
      label: b.label,
      type: b.type,
      ...(b.prior ? { prior: b.prior } : {}),
      reference: b.reference ?? [],
      start: new Date(b.timestamp.start * 1000),
      stop: new Date(b.timestamp.stop * 1000),
      databaseBytes: b.info?.size ?? 0,
      deltaBytes: b.info?.delta ?? 0,
      repoDeltaBytes: b.info?.repository?.delta ?? 0,
      ...(b.archive.start ? { walStart: b.archive.start } : {}),
      ...(b.archive.stop ? { walStop: b.archive.stop } : {}),
      error: b.error ?? false,
      current: b.database.id === currentDb?.id,
    }))
    .sort((a, b) => a.stop.getTime() - b.stop.getTime() || (a.label < b.label ? -1 : 1));
  return {
    stanza: target.stanza,
    status: { code: stanza.status.code, message: printable(stanza.status.message) },
    pgMajor: currentDb ? Number(currentDb.version) : undefined,
    sets,
    archive: archiveJson ? { id: archiveJson.id, min: archiveJson.min!, max: archiveJson.max! } : undefined,
    busy: stanza.status.lock?.backup?.held ?? false,
  };
}

/** The sets a restore can start from: no checksum error, of the current cluster, with the WAL that makes them consistent. */
export function restorableSets(info: StanzaInfo): PhysicalSet[] {
  return info.sets.filter((s) => !s.error && s.current && s.walStart && s.walStop);
}
