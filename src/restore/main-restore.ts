import type { OperationContext } from '../core/context.js';
import type { TocEntry } from './toc.js';
import type { ArchiveSource } from './archive-source.js';
import type { PreparedRestore } from './plan.js';
import { runPgRestore } from './pg-restore.js';
import { writeListFile } from './archive-toc.js';
import type { RestoreResult } from './types.js';

/** The restore of the backup's objects and data into the target, as restore-backup prepared it. */
export interface MainRestore {
  prepared: PreparedRestore;
  archive: ArchiveSource;
  /** pg_restore's arguments for the restore, without the archive and without an entry list. */
  args: string[];
  /** What is restored: every entry of the archive, or those chosen (`selected`), given to pg_restore as a list. */
  entries: TocEntry[];
  selected: boolean;
  /** Schemas the restored objects live in that the archive does not create (a tables backup's). */
  schemas: string[];
  /** With --clean: the archive entries whose objects are dropped (cascade) before pg_restore recreates them. */
  cleanEntries?: TocEntry[];
  result: RestoreResult;
  /** pg_restore's progress lines, for the checks that run alongside it. */
  onLine?: (line: string) => void;
  /** A table loaded apart from the main pg_restore (restoreFromStaged), for the same checks. */
  onLoaded?: (entry: TocEntry) => void;
}

/** The server's warnings go into the summary, each once; with `checks`, pg_restore's lines also go to those. */
export function onRestoreLine(main: MainRestore, checks = true): (line: string) => void {
  return (line) => {
    if (checks) main.onLine?.(line);
    const warning = /^pg_restore: (?:WARNING|warning): +(.*)$/.exec(line)?.[1];
    if (warning && !main.result.warnings.includes(warning)) main.result.warnings.push(warning);
  };
}

/** pg_restore over the archive into the restored database: the main arguments, `extra`, and the entries restored. */
export async function pgRestore(
  main: MainRestore,
  extra: string[],
  ctx: OperationContext,
  entries: TocEntry[] | undefined = main.selected ? main.entries : undefined,
  source: Pick<ArchiveSource, 'path' | 'open'> = main.archive,
  onLine = onRestoreLine(main),
): Promise<void> {
  const { prepared } = main;
  const list = entries ? await writeListFile(entries) : undefined;
  try {
    await runPgRestore(
      source,
      {
        toolPath: prepared.pgRestore.path,
        target: prepared.into,
        args: [...main.args, ...extra, ...(list ? [`--use-list=${list.path}`] : [])],
        settings: prepared.settings,
        onLine,
      },
      ctx,
    );
  } finally {
    await list?.remove();
  }
}
