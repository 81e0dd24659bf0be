import { z } from 'zod';
import { defineAction, type ActionContext } from './registry.js';
import { backupOutputs, stepRepository } from './service.js';
import { findBackup, listBackups, type CatalogEntry } from '../backup/index.js';
import { BackupNotFound, UsageError } from '../core/errors.js';

const CHOICES = 10;

export const backupSelect = defineAction({
  name: 'backup.select',
  describe: 'Pick the backup to restore: the latest verified one, the latest before a time, a given id, or ask.',
  with: z
    .object({
      repo: z.string().optional(),
      database: z.string().optional(),
      strategy: z.enum(['latest-verified', 'latest', 'choose', 'id']).default('latest-verified'),
      id: z.string().optional(),
      before: z
        .string()
        .optional()
        .describe('Only backups whose recovery point is before this time (PITR, corruption)'),
    })
    .strict(),
  outputs: ['backupId', 'recoveryPoint', 'rowCounts', 'bytes', 'database', 'verified', 'sha256', 'encryption'],
  idempotent: true,
  async run(ctx, a) {
    const repo = stepRepository(ctx, a.repo);
    if (a.strategy === 'id') {
      if (!a.id)
        throw new UsageError(
          `Step ${ctx.stepId}: strategy id needs with.id.`,
          'Give the backup id, or use strategy: latest-verified.',
        );
      const entry = await findBackup(repo, a.id, { warn: (line) => ctx.log.warn(line) });
      return outputsOf(entry);
    }
    const candidates = await candidatesFor(ctx, repo, a);
    if (candidates.length === 0) {
      throw new BackupNotFound(
        `No backup in ${repo.url}${a.database ? ` of database ${a.database}` : ''}${a.before ? ` before ${a.before}` : ''}.`,
        {
          hint: 'Take one (pgdr backup), or point the run at the repository that holds them (--repo).',
        },
      );
    }
    if (a.strategy === 'choose') return outputsOf(await choose(ctx, candidates, 'Which backup should be restored?'));
    const latest = candidates.at(-1)!;
    if (a.strategy === 'latest') return outputsOf(latest);
    const verified = candidates.filter((c) => c.verification?.ok).at(-1);
    if (verified) return outputsOf(verified);
    if (ctx.services.interactive)
      return outputsOf(
        await choose(ctx, candidates, 'No backup has passed verification. Which one should be restored?'),
      );
    ctx.log.warn(
      `No verified backup${a.before ? ` before ${a.before}` : ''}; using the latest, ${latest.manifest.id} (the next steps verify it).`,
    );
    return outputsOf(latest);
  },
});

function outputsOf(entry: CatalogEntry) {
  return backupOutputs(entry.manifest, { verified: entry.verification?.ok === true });
}

/** Complete backups, oldest first, of the wanted database (else the primary's, when it has any) and before `before`. */
async function candidatesFor(
  ctx: ActionContext,
  repo: ReturnType<typeof stepRepository>,
  a: { database?: string; before?: string },
): Promise<CatalogEntry[]> {
  const before = a.before ? Date.parse(a.before) : undefined;
  if (before !== undefined && Number.isNaN(before)) {
    throw new UsageError(
      `Step ${ctx.stepId}: "${a.before}" is not a time.`,
      'Give an ISO time such as 2025-01-16T14:30:00Z.',
    );
  }
  const { backups, warnings } = await listBackups(repo);
  for (const line of warnings) ctx.log.warn(line);
  const inTime = backups.filter((b) => before === undefined || Date.parse(b.manifest.snapshotTime) < before);
  if (a.database) return inTime.filter((b) => b.manifest.database === a.database);
  const primary = ctx.targets.primary?.target.database;
  const own = inTime.filter((b) => b.manifest.database === primary);
  return own.length > 0 ? own : inTime;
}

async function choose(ctx: ActionContext, candidates: CatalogEntry[], message: string): Promise<CatalogEntry> {
  const recent = candidates.slice(-CHOICES).reverse();
  const answer = await ctx.prompt({
    kind: 'select',
    id: `${ctx.stepId}.backup`,
    message,
    choices: recent.map((c) => ({
      value: c.manifest.id,
      label: `${c.manifest.id}  ${c.manifest.snapshotTime.replace('T', ' ').slice(0, 19)}Z`,
      hint: c.verification ? (c.verification.ok ? 'verified' : 'FAILED verification') : 'not verified',
    })),
  });
  return recent.find((c) => c.manifest.id === answer) ?? recent[0]!;
}
