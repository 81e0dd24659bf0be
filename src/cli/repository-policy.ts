import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { LoadedConfig } from '../config/load.js';
import type { LockOption } from '../backup/backup-lock.js';
import type { TierClasses } from '../backup/tiering.js';
import { COLDER_CLASSES, type ColderClass } from '../storage/storage-classes.js';
import { collect } from './output.js';

export interface LockFlags {
  repo?: string;
  lockDays?: string;
  objectLock?: string;
}

export function addLockOptions(cmd: Command): Command {
  return cmd
    .option('--lock-days <n>', 'nobody may delete the backup for N days (else repository.lock.days in the config)')
    .option(
      '--object-lock <governance|compliance>',
      'S3: the Object Lock mode of that retention (else repository.lock.mode)',
    );
}

/** The config's repository.lock and .s3 belong to the configured repository: a --repo naming another leaves them out. */
function configured(loaded: LoadedConfig, flags: { repo?: string }): LoadedConfig['config']['repository'] {
  const repository = loaded.config.repository;
  return !flags.repo || flags.repo === repository?.url ? repository : undefined;
}

/** --lock-days / --object-lock over repository.lock. */
export function lockOption(loaded: LoadedConfig, flags: LockFlags): LockOption | undefined {
  const fromConfig = configured(loaded, flags)?.lock;
  if (flags.objectLock !== undefined && flags.objectLock !== 'governance' && flags.objectLock !== 'compliance')
    throw new UsageError(`--object-lock must be governance or compliance, not "${flags.objectLock}".`);
  const days = flags.lockDays !== undefined ? Number(flags.lockDays) : fromConfig?.days;
  if (days === undefined) {
    if (flags.objectLock) throw new UsageError('--object-lock needs --lock-days N: how long the backup stays locked.');
    return undefined;
  }
  if (!Number.isInteger(days) || days < 1 || days > 36500)
    throw new UsageError(`--lock-days must be a whole number of days from 1 to 36500, not "${flags.lockDays}".`);
  const mode = (flags.objectLock as LockOption['mode']) ?? fromConfig?.mode;
  return { days, ...(mode ? { mode } : {}) };
}

export function addStorageClassOption(cmd: Command): Command {
  return cmd.option(
    '--storage-class <monthly|yearly=CLASS>',
    'S3: move backups kept only as monthly (or yearly) keepers to CLASS, e.g. monthly=GLACIER_IR (repeatable; else repository.s3.storageClass)',
    collect,
  );
}

/** --storage-class monthly=GLACIER_IR … over repository.s3.storageClass. */
export function storageClasses(loaded: LoadedConfig, flags: { repo?: string; storageClass?: string[] }): TierClasses {
  const classes: TierClasses = { ...configured(loaded, flags)?.s3?.storageClass };
  for (const text of flags.storageClass ?? []) {
    const m = /^(monthly|yearly)=(.+)$/.exec(text);
    if (!m || !(COLDER_CLASSES as string[]).includes(m[2]!))
      throw new UsageError(
        `--storage-class ${text} is not <monthly|yearly>=<class>.`,
        'e.g. --storage-class monthly=GLACIER_IR --storage-class yearly=DEEP_ARCHIVE (classes: STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE).',
      );
    classes[m[1] as 'monthly' | 'yearly'] = m[2] as ColderClass;
  }
  return classes;
}
