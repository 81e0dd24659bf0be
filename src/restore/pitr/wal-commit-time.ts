import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess } from '../../core/system.js';
import { ProcessFailed } from '../../core/system.js';
import { findTool } from '../../pg/tools.js';
import { handToServerUser } from '../../pg/server-user.js';
import { runPgbackrest, type PgbackrestTarget } from '../../backup/physical/pgbackrest-command.js';
import { fetchSegment } from './wal-segment.js';

/** The newest transaction end (commit or abort) found in the archived WAL. */
export interface ArchivedCommit {
  /** Truncated to the millisecond, so any target strictly before it is also before the exact commit. */
  time: Date;
  /** As pg_waldump printed it, microseconds included. */
  raw: string;
  segment: string;
  /** When pgBackRest stored that segment in the repository. */
  archivedAt: Date | undefined;
}

/** How many of the newest segments to open before giving up (an idle cluster only switches on archive_timeout). */
const SEGMENTS_TO_SCAN = 24;
// Names read from the repository are data: only a timeline directory and a segment file name are used.
const WAL_DIR = /^[0-9A-F]{16}$/;
const SEGMENT = /^([0-9A-F]{24})-[0-9a-f]{40}(\.(gz|zst|lz4|bz2))?$/;
const XACT_END = /desc: (?:COMMIT|ABORT)(?:_PREPARED \d+:)? (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC/g;

/**
 * Why WAL and not the clock: PostgreSQL stops a time-targeted recovery at the first commit or abort record later
 * than the target; when the archived WAL holds none, recovery ends before the target and (PostgreSQL 13+) fails.
 * So the last target that certainly works is just before the newest archived transaction end, which we read from
 * the segments themselves (pgbackrest archive-get + pg_waldump), newest first, down to `oldest`.
 */
export async function lastArchivedCommit(
  target: PgbackrestTarget,
  archive: { id: string; max: string; oldest: string; pgMajor: number },
  options: { signal?: AbortSignal } = {},
): Promise<ArchivedCommit | undefined> {
  const segments = await newestSegments(target, archive, options.signal);
  if (!segments.length) return undefined;
  const waldump = await findTool('pg_waldump', archive.pgMajor);
  const work = mkdtempSync(join(tmpdir(), 'pgdr-wal-'));
  handToServerUser(work);
  try {
    for (const { name, stored, time } of segments) {
      const file = join(work, name);
      await fetchSegment(target, { name, stored }, file, options.signal);
      const raw = lastXactEnd(await waldumpTransactions(waldump.path, file, options.signal));
      rmSync(file, { force: true });
      if (raw)
        return {
          time: new Date(Math.floor(Date.parse(raw.replace(' ', 'T') + 'Z'))),
          raw: `${raw}+00`,
          segment: name,
          archivedAt: time,
        };
    }
    return undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function newestSegments(
  target: PgbackrestTarget,
  archive: { id: string; max: string; oldest: string },
  signal?: AbortSignal,
): Promise<{ name: string; stored: string; time: Date | undefined }[]> {
  const base = `archive/${target.stanza}/${archive.id}`;
  const dirs = Object.entries(await repoLs(target, base, signal))
    .filter(([name, entry]) => entry.type === 'path' && WAL_DIR.test(name))
    .map(([name]) => name)
    .sort()
    .reverse();
  const found: { name: string; stored: string; time: Date | undefined }[] = [];
  for (const dir of dirs) {
    const files = Object.entries(await repoLs(target, `${base}/${dir}`, signal))
      .map(([file, entry]) => ({ name: SEGMENT.exec(file)?.[1], file, time: entry.time }))
      .filter(
        (f): f is { name: string; file: string; time: number | undefined } =>
          !!f.name && f.name <= archive.max && f.name >= archive.oldest,
      )
      .sort((a, b) => (a.name < b.name ? 1 : -1));
    for (const f of files)
      found.push({
        name: f.name,
        stored: `${base}/${dir}/${f.file}`,
        time: f.time === undefined ? undefined : new Date(f.time * 1000),
      });
    if (found.length >= SEGMENTS_TO_SCAN) break;
  }
  return found.slice(0, SEGMENTS_TO_SCAN);
}

async function repoLs(
  target: PgbackrestTarget,
  path: string,
  signal?: AbortSignal,
): Promise<Record<string, { type: string; time?: number }>> {
  return JSON.parse(await runPgbackrest(target, 'repo-ls', ['--output=json', path], { signal })) as Record<
    string,
    { type: string; time?: number }
  >;
}

/** pg_waldump exits non-zero when the last record continues into the next segment; what it printed still counts. */
async function waldumpTransactions(bin: string, file: string, signal?: AbortSignal): Promise<string> {
  const proc = startProcess(bin, ['--rmgr=Transaction', file], { signal, env: { ...process.env, TZ: 'UTC' } });
  let out = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => (out += chunk));
  await proc.done.catch((error: unknown) => {
    if (!(error instanceof ProcessFailed) || error.signalName) throw error;
  });
  return out;
}

export function lastXactEnd(waldumpOutput: string): string | undefined {
  let last: string | undefined;
  for (const match of waldumpOutput.matchAll(XACT_END)) last = match[1];
  return last;
}
