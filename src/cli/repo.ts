import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { addRepoOptions, cliConfig, cliRepository, type CommonOptions } from './context.js';
import { printJson } from './output.js';
import { addStorageClassOption, storageClasses } from './repository-policy.js';

interface LifecycleFlags extends CommonOptions {
  print?: boolean;
  apply?: boolean;
  storageClass?: string[];
}

/** `pgdr repo lifecycle --print | --apply`: the S3 bucket's lifecycle rules, from the same config prune follows. */
export function registerRepoCommands(program: Command): void {
  const repo = program.command('repo').description('The repository’s own settings (S3 lifecycle rules).');
  addStorageClassOption(addRepoOptions(repo.command('lifecycle')))
    .description(
      'The S3 lifecycle rules that move archives to repository.s3.storageClass by age (what prune does by CopyObject) and clean up unfinished uploads and, with a lock, old versions. --print shows the whole configuration; --apply writes it (rules of others kept).',
    )
    .option('--print', 'print the lifecycle configuration the bucket would get')
    .option('--apply', 'write it to the bucket (PutBucketLifecycleConfiguration)')
    .option('--json', 'print JSON')
    .action(async (flags: LifecycleFlags) => {
      if (Boolean(flags.print) === Boolean(flags.apply))
        throw new UsageError(
          'Choose one of --print or --apply.',
          'pgdr repo lifecycle --print shows what --apply writes.',
        );
      const { lifecycleRules, mergeRules } = await import('../backup/lifecycle-rules.js');
      const loaded = await cliConfig(flags);
      const repository = cliRepository(loaded, flags);
      if (!repository.tiers)
        throw new UsageError(
          `${repository.url} is a directory: lifecycle rules are an S3 bucket's.`,
          'Give an s3://bucket/prefix repository (--repo or repository.url).',
        );
      const r = loaded.config.retention;
      const policy = {
        keepDaily: r.keepDaily,
        keepWeekly: r.keepWeekly,
        keepMonthly: r.keepMonthly,
        keepYearly: r.keepYearly,
        ...(r.days !== undefined ? { retentionDays: r.days } : {}),
      };
      const prefix = repository.url.replace(/^s3:\/\/[^/]+\/?/, '');
      const ours = lifecycleRules(prefix ? `${prefix}/` : '', policy, storageClasses(loaded, flags), {
        locked: Boolean(loaded.config.repository?.lock) || (await repository.tiers.objectLockEnabled()),
      });
      const rules = mergeRules(await repository.tiers.lifecycleRules(), ours);
      if (flags.apply) await repository.tiers.putLifecycleRules(rules);
      if (flags.json) return printJson({ applied: Boolean(flags.apply), rules });
      process.stdout.write(
        `${flags.apply ? 'Wrote' : 'Would write'} this lifecycle configuration to ${repository.url.replace(/^(s3:\/\/[^/]+).*/, '$1')} (rules not named ${'pgdr-…'} are the bucket's own, kept as they are):\n` +
          JSON.stringify({ Rules: rules }, null, 2) +
          '\n',
      );
    });
}
