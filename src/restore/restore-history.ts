import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { printable } from '../core/printable.js';
import type { Repository } from '../storage/index.js';
import { RESTORE_PHASES, type PhaseDurations } from './restore-phases.js';

/**
 * Every finished full restore (a `pgdr restore`, a runbook's or drill's restore step) leaves one small JSON file in
 * the repository it restored from: how long each phase took, with the archive's size, its plain size, its table count
 * and the jobs. The repository, not the machine, keeps them: the machine that restores in an incident is often not
 * the one that restored before (a bastion, a rebuilt host), and it has the repository; each record says how many
 * cores it ran on. The repository is hostile: each record is read under a size limit, through the storage layer
 * (which never follows a symlink), checked against the schema, and a bad one is ignored and named.
 */
export const HISTORY_PREFIX = 'history/restores/';
/** The newest records read for a prediction: enough to pick similar ones, few enough to read on S3 in a moment. */
export const HISTORY_READ_LIMIT = 40;
const MAX_RECORD_BYTES = 8 * 1024;
const RECORD_KEY = /^history\/restores\/\d{8}T\d{6}Z-[0-9a-f]{8}\.json$/;

const ms = z.number().finite().nonnegative().max(1e10);
const size = z.number().int().nonnegative().max(1e15);

const recordSchema = z
  .object({
    version: z.literal(1),
    at: z.iso.datetime(),
    backupId: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/),
    archive: z
      .object({
        bytes: size,
        plainBytes: size.optional(),
        tables: z.number().int().nonnegative().max(1e7),
        encrypted: z.boolean(),
      })
      .strict(),
    jobs: z.number().int().min(1).max(64),
    cores: z.number().int().min(1).max(4096),
    mode: z.enum(['new-db', 'in-place']),
    /** How the archive reached pg_restore; `verify`: a `backup verify --restore-test`, its own restore path. */
    source: z.enum(['stream', 'materialize', 'directory', 'verify']),
    phases: z
      .object(Object.fromEntries(RESTORE_PHASES.map((p) => [p, ms])) as Record<keyof PhaseDurations, typeof ms>)
      .strict(),
    totalMs: ms,
  })
  .strict();

export type RestoreRecord = z.output<typeof recordSchema>;

export function newRecord(fields: Omit<RestoreRecord, 'version' | 'at' | 'cores'>, at = new Date()): RestoreRecord {
  return { version: 1, at: at.toISOString(), cores: availableParallelism(), ...fields };
}

/** Writes the record under its own new key (the storage layer's writeFile is atomic: all of it or nothing). */
export async function recordRestore(repo: Repository, record: RestoreRecord): Promise<string> {
  const stamp = record.at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const key = `${HISTORY_PREFIX}${stamp}-${randomBytes(4).toString('hex')}.json`;
  await repo.writeFile(key, JSON.stringify(recordSchema.parse(record), null, 2) + '\n');
  return key;
}

/** Parses one stored record; undefined (and why) when it is not one pgdr wrote. */
export function parseRecord(text: string): { record?: RestoreRecord; problem?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  const parsed = recordSchema.safeParse(json);
  if (parsed.success) return { record: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { problem: `${issue.path.join('.') || 'record'}: ${issue.message}` };
}

/** The newest records, oldest first; each one that is not a valid record is left out and named through `warn`. */
export async function readHistory(repo: Repository, warn: (line: string) => void): Promise<RestoreRecord[]> {
  const listed = await repo.list(HISTORY_PREFIX);
  const records: RestoreRecord[] = [];
  const ignore = (key: string, why: string) => warn(`Restore history: ignored ${printable(key)} (${printable(why)}).`);
  for (const { key, bytes } of listed.slice(-HISTORY_READ_LIMIT)) {
    if (!RECORD_KEY.test(key)) {
      ignore(key, 'not a name pgdr writes');
      continue;
    }
    if (bytes > MAX_RECORD_BYTES) {
      ignore(key, `${bytes} bytes, more than a record holds`);
      continue;
    }
    const text = await repo
      .readFile(key, { maxBytes: MAX_RECORD_BYTES })
      .then((b) => b.toString('utf8'))
      .catch((error: unknown) => ({ error: (error as Error).message }));
    if (typeof text !== 'string') {
      ignore(key, text.error);
      continue;
    }
    const { record, problem } = parseRecord(text);
    if (record) records.push(record);
    else ignore(key, problem!);
  }
  return records;
}
