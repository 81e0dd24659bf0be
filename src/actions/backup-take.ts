import { z } from 'zod';
import { defineAction } from './registry.js';
import { backupOutputs, stepRepository } from './service.js';
import { takeBackup, formatBytes } from '../backup/index.js';
import { manifestTables } from '../backup/manifest-tables.js';

export const backupTake = defineAction({
  name: 'backup.take',
  describe:
    "Take a backup of the target into the repository (the safety snapshot before a restore, or the drill's source).",
  with: z
    .object({
      target: z.string().min(1).optional(),
      repo: z.string().optional().describe('Repository (directory or s3://bucket/prefix); default: configured'),
      kind: z.enum(['full', 'schema', 'tables']).default('full'),
      tables: z.array(z.string()).optional(),
      label: z.string().optional().describe('Why it was taken, for the log and the report'),
    })
    .strict(),
  outputs: ['backupId', 'recoveryPoint', 'rowCounts', 'bytes', 'database', 'location'],
  restartable: true,
  targets: [{ field: 'target', access: 'read', defaultTarget: 'primary' }],
  async run(ctx, a) {
    const repo = stepRepository(ctx, a.repo);
    const lock = a.repo === undefined ? ctx.services.lock : undefined;
    const result = await takeBackup(
      { target: ctx.target(a.target), repo, kind: a.kind, tables: a.tables, encryption: ctx.services.encryption, lock },
      ctx,
    );
    ctx.log.info(
      `Backup ${result.id}${a.label ? ` (${a.label})` : ''} taken: ${formatBytes(result.bytes)}, ${manifestTables(result.manifest).length} tables, at ${result.location}`,
    );
    return backupOutputs(result.manifest, { location: result.location, label: a.label ?? '' });
  },
});
