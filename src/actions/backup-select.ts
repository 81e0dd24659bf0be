import { z } from 'zod';
import { defineAction } from './registry.js';
import { backupOutputs, callService } from './service.js';

export const backupSelect = defineAction({
  name: 'backup.select',
  describe: 'Pick the backup to restore: the latest verified one, the latest before a time, a given id, or ask.',
  with: z
    .object({
      repo: z.string().optional(),
      database: z.string().optional(),
      strategy: z.enum(['latest-verified', 'latest', 'choose', 'id']).default('latest-verified'),
      id: z.string().optional(),
      before: z.string().optional().describe('Only backups whose recovery point is before this time (PITR, corruption)'),
    })
    .strict(),
  outputs: ['backupId', 'recoveryPoint', 'rowCounts', 'bytes', 'database'],
  idempotent: true,
  async run(ctx, a) {
    return backupOutputs(await callService('backup', 'selectBackup', a, ctx));
  },
});
