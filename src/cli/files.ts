import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { makeBackupId } from '../backup/index.js';
import { audited } from '../audit/audit-log.js';
import {
  backupStorageFiles,
  listFileSnapshots,
  openStorageSource,
  pruneStorageFiles,
  readFilesManifest,
  restoreStorageFiles,
  type FilesManifest,
  type RestoreFilesResult,
} from '../storage-files/index.js';
import type { OperationContext } from '../core/context.js';
import type { Repository } from '../storage/index.js';
import type { LoadedConfig } from '../config/load.js';
import { resolveProfile } from '../config/profile.js';
import { addRepoOptions, cliConfig, cliKeys, cliRepository, operationContext, type CommonOptions } from './context.js';
import { collect, printJson } from './output.js';

interface FilesFlags extends CommonOptions {
  id?: string;
  bucket?: string[];
  identity?: string;
}

type StorageSettings = ReturnType<typeof storageConfig>['storage'];

/** One Storage snapshot into the repository, audited; `pgdr backup --storage` pairs it with the database backup's id. */
export async function backupFilesWith(
  storage: StorageSettings,
  repo: Repository,
  id: string,
  loaded: LoadedConfig,
  ctx: OperationContext,
): Promise<FilesManifest> {
  const source = await openStorageSource(storage);
  try {
    return await audited(
      'files backup',
      async (note) => {
        const result = await backupStorageFiles(
          { source, repo, id, recipients: loaded.config.encryption?.recipients },
          ctx,
        );
        note.backupId = result.id;
        note.details = { objects: result.objects.length, copied: result.copied };
        return result;
      },
      { target: storage.s3Endpoint },
    );
  } finally {
    source.close();
  }
}

export async function restoreFilesWith(
  storage: StorageSettings,
  repo: Repository,
  snapshot: string,
  identities: string[] | undefined,
  buckets: string[] | undefined,
  ctx: OperationContext,
): Promise<RestoreFilesResult> {
  const target = await openStorageSource(storage);
  try {
    return await audited(
      'files restore',
      (note) => {
        note.backupId = snapshot;
        return restoreStorageFiles({ repo, snapshot, target, identities, buckets }, ctx);
      },
      { target: storage.s3Endpoint },
    );
  } finally {
    target.close();
  }
}

export const filesBackupLine = (m: FilesManifest) =>
  `Storage snapshot ${m.id}: ${m.objects.length} objects in ${m.buckets.length} bucket(s), ${m.copied} copied, ${m.reused} unchanged.\n`;

export function storageConfig(loaded: LoadedConfig, profile: string | undefined) {
  const resolved = resolveProfile(loaded.config, profile);
  const storage = resolved.name ? loaded.config.targets[resolved.name]?.storage : undefined;
  if (!storage) {
    throw new UsageError(
      `Profile ${resolved.name ?? '(none)'} has no storage: section.`,
      'Add targets.<profile>.storage with s3Endpoint (https://<ref>.supabase.co/storage/v1/s3), accessKeyIdEnv and secretAccessKeyEnv to pgdr.config.yaml.',
    );
  }
  return { storage, database: resolved.target.database };
}

export function registerFilesCommands(program: Command): void {
  const files = program
    .command('files')
    .description('Supabase Storage objects: back them up into the repository and put them back.');
  addRepoOptions(files.command('backup'))
    .description(
      'Copy every object of the project’s Storage buckets into the repository (only what changed since the last snapshot).',
    )
    .option('--profile <name>', 'target profile whose storage: section to use')
    .option('--id <id>', 'snapshot id (default: a new backup id; pass a database backup’s id to pair them)')
    .option('--json', 'print the snapshot summary as JSON')
    .action(async (flags: FilesFlags) => {
      const loaded = await cliConfig(flags);
      const { storage, database } = storageConfig(loaded, flags.profile);
      const repo = cliRepository(loaded, flags, 'write');
      const ctx = operationContext(flags);
      try {
        const m = await backupFilesWith(storage, repo, flags.id ?? makeBackupId('full', database), loaded, ctx);
        if (flags.json)
          printJson({
            id: m.id,
            buckets: m.buckets,
            objects: m.objects.length,
            copied: m.copied,
            reused: m.reused,
            bytesCopied: m.bytesCopied,
            encrypted: Boolean(m.encryption),
          });
        else process.stdout.write(filesBackupLine(m));
      } finally {
        ctx.dispose();
      }
    });
  addRepoOptions(files.command('restore'))
    .description(
      'Put a snapshot’s objects back into the project’s buckets; every checksum is checked before the first write.',
    )
    .argument('<snapshot>', 'snapshot id, a prefix, or latest')
    .option('--profile <name>', 'target profile whose storage: section to write to')
    .option('--bucket <name>', 'only this bucket (repeatable)', collect)
    .option('--identity <file>', 'age identity file, if the snapshot is encrypted')
    .action(async (snapshot: string, flags: FilesFlags) => {
      const loaded = await cliConfig(flags);
      const { storage } = storageConfig(loaded, flags.profile);
      const repo = cliRepository(loaded, flags);
      const keys = await cliKeys(loaded, flags);
      const ctx = operationContext(flags);
      try {
        const r = await restoreFilesWith(storage, repo, snapshot, keys.identities, flags.bucket, ctx);
        process.stdout.write(`Restored ${r.restored} objects from Storage snapshot ${r.snapshot}.\n`);
      } finally {
        ctx.dispose();
      }
    });
  addRepoOptions(files.command('prune'))
    .description('Keep the newest Storage snapshots and delete stored objects none of them needs.')
    .option('--keep-last <n>', 'snapshots to keep', '30')
    .option('--dry-run', 'say what would go, delete nothing')
    .option('--json', 'print JSON')
    .action(async (flags: FilesFlags & { keepLast: string; dryRun?: boolean }) => {
      const repo = cliRepository(await cliConfig(flags), flags);
      const r = await audited(
        'files prune',
        () => pruneStorageFiles(repo, { keepLast: Number(flags.keepLast), dryRun: flags.dryRun }),
        { target: repo.url },
      );
      if (flags.json) return printJson(r);
      process.stdout.write(
        `${r.dryRun ? 'Would remove' : 'Removed'} ${r.removed.length} snapshot(s) and ${r.objectsRemoved} stored object(s); kept ${r.kept.length}.\n`,
      );
    });
  addRepoOptions(files.command('list'))
    .description('List the Storage snapshots in the repository.')
    .option('--json', 'print JSON')
    .action(async (flags: FilesFlags) => {
      const repo = cliRepository(await cliConfig(flags), flags);
      const ids = await listFileSnapshots(repo);
      const rows = await Promise.all(
        ids.map(async (id) => {
          const m = await readFilesManifest(repo, id);
          return {
            id,
            finishedAt: m.finishedAt,
            objects: m.objects.length,
            bytes: m.objects.reduce((a, o) => a + o.bytes, 0),
            copied: m.copied,
          };
        }),
      );
      if (flags.json) return printJson(rows);
      if (!rows.length) return void process.stdout.write(`No Storage snapshots in ${repo.url}.\n`);
      for (const r of rows)
        process.stdout.write(`${r.id}  ${r.objects} objects  ${r.bytes} bytes  (${r.copied} copied)\n`);
    });
}
