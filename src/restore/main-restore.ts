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
}

/** pg_restore's lines go to the checks running beside it; the server's warnings go into the summary, each once. */
function onRestoreLine(main: MainRestore): (line: string) => void {
  return (line) => {
    main.onLine?.(line);
    const warning = /^pg_restore: (?:WARNING|warning): +(.*)$/.exec(line)?.[1];
    if (warning && !main.result.warnings.includes(warning)) main.result.warnings.push(warning);
  };
}

/** pg_restore over the archive into the restored database: the main arguments, `extra`, and the entries chosen. */
export async function pgRestore(main: MainRestore, extra: string[], ctx: OperationContext): Promise<void> {
  const { prepared } = main;
  const list = main.selected ? await writeListFile(main.entries) : undefined;
  try {
    await runPgRestore(
      main.archive,
      {
        toolPath: prepared.pgRestore.path,
        target: prepared.into,
        args: [...main.args, ...extra, ...(list ? [`--use-list=${list.path}`] : [])],
        settings: prepared.settings,
        onLine: onRestoreLine(main),
      },
      ctx,
    );
  } finally {
    await list?.remove();
  }
}
