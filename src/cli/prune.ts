import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { audited } from '../audit/audit-log.js';
import type { ExportPruneResult } from '../backup/exports/index.js';
import { addRepoOptions, cliConfig, cliRepository, type CommonOptions } from './context.js';
import { printJson, stderrLogger } from './output.js';
import { pruneTable } from './backup-format.js';
import { addStorageClassOption, storageClasses } from './repository-policy.js';

/** `pgdr prune`: the retention policy over backups (locked ones stay, keepers move to their storage class) and exports. */
export function registerPruneCommand(program: Command): void {
  addStorageClassOption(addRepoOptions(program.command('prune')))
    .description(
      'Remove backups outside the retention policy (default keep 7 daily, 4 weekly, 12 monthly, 5 yearly). The newest verified backup always stays.',
    )
    .option('--keep-daily <n>')
    .option('--keep-weekly <n>')
    .option('--keep-monthly <n>')
    .option('--keep-yearly <n>')
    .option('--retention-days <n>', 'keep everything younger than N days instead of the calendar policy')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'print JSON')
    .action(
      async (
        flags: CommonOptions &
          Record<'keepDaily' | 'keepWeekly' | 'keepMonthly' | 'keepYearly' | 'retentionDays', string | undefined> & {
            dryRun?: boolean;
            storageClass?: string[];
          },
      ) => {
        const { prune } = await import('../backup/index.js');
        const loaded = await cliConfig(flags);
        const r = loaded.config.retention;
        const num = (text: string | undefined, fallback: number | undefined, flag: string) => {
          if (text === undefined) return fallback;
          const n = Number(text);
          if (!Number.isInteger(n) || n < 0)
            throw new UsageError(`${flag} must be a whole number (0 or more), not "${text}".`);
          return n;
        };
        const retentionDays = num(flags.retentionDays, r.days, '--retention-days');
        if (retentionDays === 0)
          throw new UsageError('--retention-days 0 would keep nothing but the newest backup.', 'Give at least 1.');
        const policy = {
          keepDaily: num(flags.keepDaily, r.keepDaily, '--keep-daily')!,
          keepWeekly: num(flags.keepWeekly, r.keepWeekly, '--keep-weekly')!,
          keepMonthly: num(flags.keepMonthly, r.keepMonthly, '--keep-monthly')!,
          keepYearly: num(flags.keepYearly, r.keepYearly, '--keep-yearly')!,
          ...(retentionDays !== undefined ? { retentionDays } : {}),
        };
        const repo = cliRepository(loaded, flags);
        const classes = storageClasses(loaded, flags);
        const tiered = Boolean(classes.monthly || classes.yearly);
        if (tiered && retentionDays !== undefined)
          throw new UsageError(
            'Storage classes follow the monthly and yearly keepers of the calendar policy; --retention-days has none.',
            'Drop --retention-days (and retention.days) to use them, or drop the storage classes.',
          );
        if (tiered && !repo.tiers)
          stderrLogger().warn(`Storage classes apply to S3 repositories; ${repo.url} is a directory, nothing moves.`);
        const result = await audited(
          flags.dryRun ? 'prune --dry-run' : 'prune',
          async (note) => {
            const pruned = await prune(repo, policy, {
              dryRun: flags.dryRun,
              ...(tiered ? { storageClasses: classes } : {}),
            });
            const keepWeeks = Object.fromEntries(
              Object.entries(loaded.config.exports).map(([n, e]) => [n, e.keepWeeks]),
            );
            const exportsPruned = Object.keys(keepWeeks).length
              ? await (
                  await import('../backup/exports/index.js')
                ).pruneExports(repo, keepWeeks, { dryRun: flags.dryRun })
              : undefined;
            note.details = {
              ...(exportsPruned ? { exportsRemoved: exportsPruned.removed.length } : {}),
              removed: pruned.removed.length,
              freedBytes: pruned.freedBytes,
              ...(pruned.damaged.length ? { keptDamaged: pruned.damaged.length } : {}),
              ...(pruned.locked.length ? { keptLocked: pruned.locked.length } : {}),
              ...(pruned.moved.length ? { moved: pruned.moved.length } : {}),
            };
            return { ...pruned, ...(exportsPruned ? { exports: exportsPruned } : {}) };
          },
          { target: repo.url },
        );
        const log = stderrLogger();
        for (const line of [...result.warnings, ...(result.exports?.warnings ?? [])]) log.warn(line);
        if (flags.json) printJson({ dryRun: Boolean(flags.dryRun), ...result });
        else
          process.stdout.write(
            pruneTable(result, Boolean(flags.dryRun)) + exportsLine(result.exports, Boolean(flags.dryRun)),
          );
      },
    );
}

function exportsLine(result: ExportPruneResult | undefined, dryRun: boolean): string {
  if (!result) return '';
  const removed = result.removed.map((e) => `${e.name}/${e.id}`);
  const locked = result.locked.map(
    (e) => `${e.name}/${e.id}${e.until ? ` until ${e.until.slice(0, 16).replace('T', ' ')} UTC` : ''}`,
  );
  return (
    `Exports: ${dryRun ? 'would remove' : 'removed'} ${removed.length}${removed.length ? ` (${removed.join(', ')})` : ''} older than their keepWeeks` +
    `${locked.length ? `; kept ${locked.length} locked (${locked.join(', ')})` : ''}.\n`
  );
}
