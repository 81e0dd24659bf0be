import { z } from 'zod';
import { defineAction } from './registry.js';
import { callService } from './service.js';

export const restoreRun = defineAction({
  name: 'restore.run',
  describe: 'Restore a backup into the target: full, schema only, some tables, or rows; or recover to a point in time.',
  with: z
    .object({
      repo: z.string().optional(),
      id: z.string().min(1).optional().describe('Backup id (from backup.select); not needed for a provider PITR'),
      target: z.string().min(1).optional(),
      into: z.string().optional().describe('Database to restore into (a drill uses a scratch database)'),
      mode: z.enum(['full', 'schema', 'tables', 'rows']).default('full'),
      tables: z.array(z.string()).optional(),
      where: z.string().optional().describe('Row filter for mode: rows'),
      pitrTarget: z.string().optional().describe('Point in time to recover to'),
      provider: z.enum(['dump', 'pgbackrest', 'supabase']).default('dump'),
      safetySnapshot: z.boolean().default(true),
      confirmDatabase: z.string().optional().describe('The database name typed back by the operator'),
    })
    .strict(),
  outputs: ['database', 'recoveryPoint', 'durationMs', 'safetySnapshotId'],
  targets: [{ field: 'target', access: 'write' }],
  async run(ctx, a) {
    const result = await callService('restore', 'restoreBackup', { ...a, target: ctx.target(a.target) }, ctx);
    return result && typeof result === 'object' ? (result as Record<string, unknown>) : {};
  },
});
