import { z } from 'zod';
import { defineAction } from './registry.js';
import { callService } from './service.js';
import { PgdrError } from '../core/errors.js';

export const backupVerify = defineAction({
  name: 'backup.verify',
  describe: 'Check a backup: checksums, decryption and, with restoreTest, a restore into a scratch database with row counts.',
  with: z
    .object({
      repo: z.string().optional(),
      id: z.string().min(1),
      restoreTest: z.boolean().default(false),
      target: z.string().optional().describe('Server for the scratch database of the restore test'),
    })
    .strict(),
  outputs: ['passed', 'summary'],
  idempotent: true,
  validation: true,
  targets: [{ field: 'target', access: 'write' }],
  async run(ctx, a) {
    const result = (await callService('backup', 'verifyBackup', { ...a, target: a.restoreTest ? ctx.target(a.target) : undefined }, ctx)) as { ok?: boolean; errors?: string[] } | undefined;
    const passed = result?.ok !== false;
    const summary = passed ? `backup ${a.id} verified` : `backup ${a.id} failed verification: ${(result?.errors ?? []).join('; ')}`;
    if (!passed) throw new PgdrError(summary, { hint: 'Pick an older backup (backup.select with strategy: choose).' });
    return { ...(result ?? {}), passed, summary };
  },
});
