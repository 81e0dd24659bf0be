import { existsSync } from 'node:fs';
import { errorMessage, PgdrError, UsageError } from '../core/errors.js';
import type { PromptRequest, Prompter } from '../core/prompt.js';
import { PGDR_VERSION } from '../core/identity.js';
import { withClient } from '../pg/client.js';
import { withDatabase } from '../pg/connection.js';
import { findTool } from '../pg/tools.js';
import type { ActionRegistry, RunMode, TargetProfile } from '../actions/registry.js';
import { DrillRefused } from './step-runner.js';
import type { RunServices } from '../actions/run-services.js';
import { expressionsIn, evaluateCondition, renderString } from './template.js';
import { references } from './expression.js';
import type { Runbook, RunbookStep } from './schema.js';
import type { Repository } from '../storage/index.js';
import { formatDuration } from '../core/duration.js';
import { foreseeLatest } from '../restore/restore-timing.js';
import { predictionBasis } from '../restore/restore-prediction.js';

/** What preflight found out that could stop the run; refused before anything is announced. */
export class PreflightFailed extends PgdrError {}
/** Preflight found questions nobody can answer: input pgdr cannot use as given (exit 2). */
export class PreflightUnanswerable extends UsageError {}

/** One check, shown as a step of the preflight phase. */
export interface PreflightCheck {
  id: string;
  title: string;
  /**
   * Throws what stops the run; returns what it found (the summary and versions for the drill record) and `notes`,
   * lines for the operator's log.
   */
  run(): Promise<Record<string, unknown> & { summary: string; notes?: string[] }>;
}

export interface PreflightContext {
  runbook: Runbook;
  mode: RunMode;
  actions: ActionRegistry;
  prompter: Prompter;
  targets: Record<string, TargetProfile>;
  services: RunServices;
  /** The run's values (inputs, run.mode): a step whose `when:` they make false is left out. */
  scope: Record<string, unknown>;
  /** Steps already done (a resume): nothing of theirs is checked. */
  settled: (stepId: string) => boolean;
}

const ACTIONS_WITH_REPOSITORY = new Set(['backup.take', 'backup.select', 'backup.verify', 'restore.run']);

/** Steps that may still run: not done, and not ruled out by a `when:` that needs only inputs and the run's mode. */
function stepsToRun(ctx: PreflightContext, settledToo = false): RunbookStep[] {
  return ctx.runbook.phases
    .flatMap((p) => p.steps)
    .filter((step) => {
      if (!settledToo && ctx.settled(step.id)) return false;
      if (!step.when) return true;
      const later = expressionsIn(step.when, true).some(({ expr }) => references(expr).some((p) => p[0] === 'steps'));
      if (later) return true;
      try {
        return evaluateCondition(step.when, ctx.scope);
      } catch {
        return true;
      }
    });
}

const staticWith = (step: RunbookStep): Record<string, unknown> =>
  step.manual ? { items: step.manual } : (step.with ?? {});

function questionsCheck(ctx: PreflightContext, steps: RunbookStep[]): PreflightCheck {
  return {
    id: 'preflight.questions',
    title: 'Every question of the run can be answered',
    async run() {
      const canAnswer = ctx.prompter.canAnswer?.bind(ctx.prompter);
      if (!canAnswer) return { summary: 'someone is at the terminal to answer' };
      const asked: PromptRequest[] = steps.flatMap(
        (step) => ctx.actions.get(step.action ?? 'manual').questions?.(step.id, staticWith(step)) ?? [],
      );
      const missing = asked.filter((request) => !canAnswer(request));
      if (missing.length)
        throw new PreflightUnanswerable(
          `No terminal to ask in, and ${missing.length} question(s) of this run have no answer: ${missing.map((q) => `"${q.message}" (${q.id})`).join('; ')}. Nothing was run or announced.`,
          {
            hint: `Pass ${missing.map((q) => `--answer ${answerHint(q)}`).join(' ')}${missing.some((q) => q.kind !== 'type-name') ? ' (--yes answers all but the names to type back)' : ''}.`,
          },
        );
      return { summary: `${asked.length} question(s), each answered by --answer or --yes` };
    },
  };
}

function answerHint(q: PromptRequest): string {
  switch (q.kind) {
    case 'type-name':
      return `${q.id}=${q.expected.includes('${{') ? '<the name>' : q.expected}`;
    case 'confirm':
      return `${q.id}=yes`;
    case 'checklist':
      return `${q.id}=all`;
    case 'select':
      return `${q.id}=${q.choices[0]?.value ?? '<choice>'}`;
    case 'text':
      return `${q.id}=<text>`;
  }
}

/** The target profiles the steps name, and whether any of them writes there or creates its server. */
function targetUses(ctx: PreflightContext, steps: RunbookStep[]) {
  const uses = new Map<string, { steps: string[]; writers: string[]; write: boolean; created: boolean }>();
  for (const step of steps) {
    const action = ctx.actions.get(step.action ?? 'manual');
    const args = staticWith(step);
    for (const use of action.targets ?? []) {
      const value = args[use.field] ?? use.defaultTarget;
      if (typeof value !== 'string' || value.includes('${{')) continue;
      const seen = uses.get(value) ?? { steps: [], writers: [], write: false, created: false };
      seen.steps.push(step.id);
      if (use.access === 'write') seen.writers.push(step.id);
      seen.write ||= use.access === 'write';
      seen.created ||= use.createsServer?.(args) ?? false;
      uses.set(value, seen);
    }
  }
  return uses;
}

/** Targets still to be used must answer; those only done steps used are asked their version, for the record. */
function targetsCheck(ctx: PreflightContext, steps: RunbookStep[]): PreflightCheck {
  const recorded = targetUses(ctx, stepsToRun(ctx, true));
  return {
    id: 'preflight.targets',
    title: 'The targets the steps use are given and their servers answer',
    async run() {
      const servers: Record<string, string> = {};
      const problems: string[] = [];
      const notes: string[] = [];
      const uses = targetUses(ctx, steps);
      for (const [name, use] of uses) {
        // Safety rule 1 before anything is announced: a drill never writes to a target marked production.
        if (ctx.mode === 'drill' && use.write && ctx.targets[name]?.production)
          throw new DrillRefused(
            `Step ${use.writers[0]} would write to '${name}', a target marked production; a drill never does. Nothing was run or announced.`,
            { hint: 'Point the step at a scratch target, or run the scenario for real with `pgdr run`.' },
          );
      }
      for (const [name, use] of [...uses, ...[...recorded].filter(([name]) => !uses.has(name))]) {
        const needed = uses.has(name);
        const profile = ctx.targets[name];
        if (!profile && !needed) continue;
        if (!profile) {
          problems.push(`step ${use.steps[0]} needs the target '${name}', which this run was not given`);
          continue;
        }
        if (use.created) {
          notes.push(`${name}: made by step ${use.steps[0]}`);
          continue;
        }
        // The server, not the database: the database may be exactly what was lost.
        const admin = withDatabase(profile.target, profile.target.database === 'postgres' ? 'template1' : 'postgres');
        try {
          servers[name] = await withClient(admin, async (c) =>
            String((await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v),
          );
        } catch (error) {
          const line = `${name} (${profile.target.display}) does not answer: ${errorMessage(error)}`;
          if (!needed) notes.push(`${line} (no step left uses it)`);
          else if (use.write) problems.push(line);
          else notes.push(`${line} (only read, by ${use.steps.join(', ')})`);
        }
      }
      if (problems.length)
        throw new PreflightFailed(`Preflight: ${problems.join('; ')}. Nothing was run or announced.`, {
          hint: 'Give the target (--db, --scratch, --target name=postgres://…), or start its server, then run again.',
        });
      const found = Object.entries(servers).map(([name, version]) => `${name} PostgreSQL ${version}`);
      return { summary: [...found, ...notes].join('; ') || 'no step uses a database target', servers };
    },
  };
}

function repositoryCheck(ctx: PreflightContext, steps: RunbookStep[]): PreflightCheck {
  return {
    id: 'preflight.repository',
    title: 'The backup repository can be read',
    async run() {
      const needing = steps.filter(
        (s) =>
          ACTIONS_WITH_REPOSITORY.has(s.action ?? '') && !staticWith(s).repo && staticWith(s).provider === undefined,
      );
      const repo = ctx.services.repository;
      if (needing.length === 0) return { summary: repo ? `${repo.url} (no step needs it)` : 'no step needs one' };
      if (!repo)
        throw new PreflightFailed(
          `Preflight: step ${needing[0]!.id} needs a backup repository and this run has none. Nothing was run or announced.`,
          { hint: 'Pass --repo DIR|s3://bucket/prefix, set PGDR_REPO, or set repository.url in pgdr.config.yaml.' },
        );
      if (!repo.remote && !existsSync(repo.url) && !needing.some((s) => s.action === 'backup.take'))
        throw new PreflightFailed(
          `Preflight: no repository at ${repo.url}: the directory does not exist. Nothing was run or announced.`,
          {
            hint: 'Check the path (--repo, PGDR_REPO or repository.url); `pgdr backup` creates a repository with its first backup.',
          },
        );
      try {
        const ids = await repo.listDirs('backups/');
        const notes = await expectedRestore(ctx, repo, needing);
        return {
          summary: `${repo.url}: ${ids.length} backup director${ids.length === 1 ? 'y' : 'ies'}`,
          repository: repo.url,
          ...(notes.length ? { notes } : {}),
        };
      } catch (error) {
        throw new PreflightFailed(`Preflight: the repository ${repo.url} cannot be read: ${errorMessage(error)}`, {
          hint: 'Check the path or bucket, its permissions and your credentials.',
        });
      }
    },
  };
}

/**
 * A drill restores into a new scratch database: before it begins, how long restoring the newest backup is expected
 * to take, from the repository's history (the restore step says it again, for the backup it picks).
 */
async function expectedRestore(ctx: PreflightContext, repo: Repository, steps: RunbookStep[]): Promise<string[]> {
  const restores = steps.filter((s) => s.action === 'restore.run' && (staticWith(s).mode ?? 'full') === 'full');
  // A new cluster given by an input (`newCluster: "${{ inputs.new_cluster_dir }}"`) counts as given only when set.
  const newCluster = (s: RunbookStep) => {
    const value = staticWith(s).newCluster;
    try {
      return Boolean(typeof value === 'string' ? renderString(value, ctx.scope) : value);
    } catch {
      return true;
    }
  };
  if (ctx.mode !== 'drill' || restores.length === 0 || restores.some(newCluster)) return [];
  const expected = await foreseeLatest(repo, ctx.targets.primary?.target.database).catch(() => undefined);
  if (!expected) return [];
  const { backupId, prediction } = expected;
  return [
    `A restore of the newest backup here (${backupId}) into a new database is expected to take about ${formatDuration(prediction.totalMs)} (${predictionBasis(prediction)}).`,
  ];
}

function toolsCheck(): PreflightCheck {
  return {
    id: 'preflight.tools',
    title: 'Versions of pgdr and the PostgreSQL tools',
    async run() {
      const versions: Record<string, string> = { pgdr: process.env.PGDR_VERSION ?? PGDR_VERSION };
      for (const tool of ['pg_dump', 'pg_restore'] as const) {
        const info = await findTool(tool).catch(() => undefined);
        if (info) versions[tool] = info.version;
      }
      return {
        summary: Object.entries(versions)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
        versions,
      };
    },
  };
}

/** The checks of the preflight phase, in order: questions, targets, repository, tool versions. */
export function preflightChecks(ctx: PreflightContext): PreflightCheck[] {
  const steps = stepsToRun(ctx);
  return [questionsCheck(ctx, steps), targetsCheck(ctx, steps), repositoryCheck(ctx, steps), toolsCheck()];
}
