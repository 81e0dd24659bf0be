import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { PgdrError, UsageError } from '../../core/errors.js';
import { printable } from '../../core/printable.js';

/**
 * The file that marks a cluster pgdr is still restoring into, or that a crash or Ctrl-C left behind: written right
 * after initdb, removed only once the cluster is durable, restarted with production settings and its row counts
 * match. postgresql.conf includes it meanwhile, and it is not a valid configuration file, so no `pg_ctl start` brings
 * such a cluster up by mistake (the server refuses, naming this file).
 */
export const MARKER = 'PGDR_INCOMPLETE';

/** The line postgresql.conf carries while the marker is there. */
export const MARKER_INCLUDE = `include '${MARKER}'  # pgdr: remove the whole directory, see ${MARKER}`;

export class NewClusterDirNotEmpty extends PgdrError {}

export function markerText(x: { backupId: string; dataDir: string; pid: number; started: Date }): string {
  return [
    '!! pgdr: INCOMPLETE RESTORE. THIS CLUSTER MUST NOT BE USED.',
    '',
    `pgdr restore --new-cluster began restoring backup ${x.backupId} into ${x.dataDir} at ${x.started.toISOString()}`,
    `(pgdr pid ${x.pid}) with fsync and full_page_writes off, and did not finish: pgdr was stopped, killed or failed.`,
    'Its data may be incomplete or corrupt. postgresql.conf includes this file so that the server refuses to start.',
    '',
    `Remove the directory and restore again:  rm -rf ${x.dataDir}`,
    '',
  ].join('\n');
}

/** The text of the marker, when `dir` holds one. */
export function readMarker(dir: string): string | undefined {
  const path = join(dir, MARKER);
  if (!existsSync(path)) return undefined;
  return printable(readFileSync(path, 'utf8').split('\n').slice(2, 4).join(' ').trim());
}

/**
 * The directory of a new cluster: an absolute path without quotes or control characters (it goes into
 * postgresql.conf), absent or empty. Nothing is ever restored over what a directory holds.
 */
export function assertNewClusterDir(dir: string): void {
  if (!isAbsolute(dir)) throw new UsageError(`--new-cluster must be an absolute path: ${printable(dir)}`);
  if (/['"\\\u0000-\u001f\u007f]/.test(dir))
    throw new UsageError(
      `--new-cluster ${printable(dir)}: the path may not hold quotes, backslashes or control characters.`,
      'It is written into postgresql.conf; pick a plain path such as /var/lib/postgresql/16/restored.',
    );
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory())
    throw new NewClusterDirNotEmpty(`${dir} exists and is not a directory.`, {
      hint: 'Give --new-cluster a new or empty directory.',
    });
  const mark = readMarker(dir);
  if (mark)
    throw new NewClusterDirNotEmpty(`${dir} is an incomplete pgdr restore and cannot be used: ${mark}`, {
      hint: `Its data may be incomplete or corrupt. Remove it (rm -rf ${dir}) and restore again.`,
    });
  const entries = readdirSync(dir);
  if (entries.length)
    throw new NewClusterDirNotEmpty(
      `${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. ${printable(entries[0]!)}).`,
      {
        hint: 'A restore into a new cluster never writes over an existing directory: give --new-cluster a new or empty one.',
      },
    );
}
