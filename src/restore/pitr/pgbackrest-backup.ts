import type { Logger } from '../../core/context.js';
import { runPgbackrest, type PgbackrestTarget } from '../../backup/physical/pgbackrest-command.js';

/** `pgbackrest backup`: the physical base backup a PITR restore starts from (WAL archiving must already work). */
export async function pgbackrestBackup(
  target: PgbackrestTarget,
  options: { type?: 'full' | 'diff' | 'incr'; signal?: AbortSignal; log?: Logger } = {},
): Promise<void> {
  await runPgbackrest(target, 'backup', [`--type=${options.type ?? 'full'}`], options);
}
