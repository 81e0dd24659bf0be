import { z } from 'zod';
import { defineAction } from './registry.js';
import { stepRepository } from './service.js';
import { verifyTimed } from '../restore/verify-timing.js';
import type { OperationFact } from '../core/context.js';
import { PgdrError } from '../core/errors.js';

export class BackupVerificationFailed extends PgdrError {}

export const backupVerify = defineAction({
  name: 'backup.verify',
  describe:
    'Check a backup: checksums, decryption and, with restoreTest, a restore into a scratch database with row counts.',
  with: z
    .object({
      repo: z.string().optional(),
      id: z.string().min(1),
      restoreTest: z.boolean().default(false),
      // A default here, not in run(): the drill safety check reads the parsed value, and a missing one counts as primary.
      target: z.string().default('restored').describe('Server for the scratch database of the restore test'),
    })
    .strict(),
  outputs: ['passed', 'summary', 'checksum', 'decrypted', 'tablesChecked'],
  idempotent: true,
  validation: true,
  targets: [{ field: 'target', access: 'write' }],
  async run(ctx, a) {
    const repo = stepRepository(ctx, a.repo);
    const restoreTest = a.restoreTest ? { server: ctx.target(a.target) } : undefined;
    const timing = (fact: OperationFact) => fact.kind !== 'safety-snapshot' && ctx.restoreTiming?.(fact);
    const result = await verifyTimed(
      { repo, ref: a.id, keys: ctx.services.keys, restoreTest },
      { ...ctx, note: timing },
    );
    const tested = result.restoreTest ? `, restore test: ${result.restoreTest.tablesChecked} tables match` : '';
    const summary = result.ok
      ? `backup ${a.id} verified: checksums ok${result.decrypted ? ', decrypts' : ''}${tested}`
      : `backup ${a.id} failed verification: ${result.errors.join('; ')}`;
    if (!result.ok)
      throw new BackupVerificationFailed(summary, {
        hint: 'Do not restore it: pick an older backup (backup.select with strategy: choose).',
      });
    ctx.log.info(summary);
    return {
      passed: true,
      summary,
      checksum: result.checksum,
      decrypted: result.decrypted ?? null,
      tablesChecked: result.restoreTest?.tablesChecked ?? 0,
    };
  },
});
