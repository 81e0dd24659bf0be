import { z } from 'zod';
import { defineAction } from './registry.js';
import { backupOutputs, callService } from './service.js';

export const backupTake = defineAction({
  name: 'backup.take',
  describe: 'Take a backup of the target into the repository (the safety snapshot before a restore, or the drill\'s source).',
  with: z
    .object({
      target: z.string().min(1).optional(),
      repo: z.string().optional().describe('Repository (directory or s3://bucket/prefix); default: configured'),
      kind: z.enum(['full', 'schema', 'tables']).default('full'),
      tables: z.array(z.string()).optional(),
      label: z.string().optional(),
    })
    .strict(),
  outputs: ['backupId', 'recoveryPoint', 'rowCounts', 'bytes', 'database'],
  targets: [{ field: 'target', access: 'read' }],
  async run(ctx, a) {
    return backupOutputs(await callService('backup', 'takeBackup', { ...a, target: ctx.target(a.target) }, ctx));
  },
});
