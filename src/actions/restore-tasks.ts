import { setMaxListeners } from 'node:events';
import type { ListrTask } from 'listr2';
import type { ActionContext } from './registry.js';
import type { OperationContext } from '../core/context.js';
import { runTasks, type EventBridgeRenderer } from './tasks.js';

/** Points a restore passes, recognised from its log lines: the UI shows them as subtasks. */
type Milestone = 'checked' | 'restoring' | 'analyzing' | 'done';

const MARKS: [RegExp, Milestone][] = [
  [/^Backup checked/, 'checked'],
  [/^(Creating database|Restoring into|Safety snapshot|New connections)/, 'restoring'],
  [/^ANALYZE/, 'analyzing'],
];

const ORDER: Milestone[] = ['checked', 'restoring', 'analyzing', 'done'];

export interface SubtaskPlan {
  title: string;
  /** Finished when the restore reaches this point. */
  until: Milestone;
  skip?: string | false;
}

/**
 * Runs `work` (a restore that reports through an OperationContext) while listr2 subtasks follow its progress, so the
 * TUI and the plain printer show checksum → pg_restore → analyze → row counts as they happen.
 */
export async function withRestoreSubtasks<T>(
  ctx: ActionContext,
  plan: SubtaskPlan[],
  work: (inner: OperationContext) => Promise<T>,
  summary: (result: T) => string,
): Promise<T> {
  const reached = new Set<Milestone>();
  const waiters = new Map<Milestone, (() => void)[]>();
  let failure: unknown;
  const reach = (m: Milestone) => {
    for (const earlier of ORDER.slice(0, ORDER.indexOf(m) + 1)) {
      if (reached.has(earlier)) continue;
      reached.add(earlier);
      for (const wake of waiters.get(earlier) ?? []) wake();
    }
  };
  const wait = (m: Milestone) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (reached.has(m) ? resolve() : reject(failure));
      if (reached.has(m) || failure !== undefined) check();
      else waiters.set(m, [...(waiters.get(m) ?? []), check]);
    });
  const info = (message: string) => {
    for (const [pattern, m] of MARKS) if (pattern.test(message)) reach(m);
    ctx.log.info(message);
  };
  // A restore's stages each listen on the signal; a child signal with room for them keeps Node from warning of a leak.
  const child = new AbortController();
  setMaxListeners(64, child.signal);
  const onAbort = () => child.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const inner: OperationContext = { log: { ...ctx.log, info }, progress: ctx.progress, signal: child.signal };
  let result: T | undefined;
  const running = work(inner).then(
    (value) => {
      result = value;
      reach('done');
    },
    (error: unknown) => {
      failure = error;
      for (const list of waiters.values()) for (const wake of list) wake();
    },
  );
  const tasks: ListrTask<object, typeof EventBridgeRenderer>[] = plan.map((step) => ({
    title: step.title,
    skip: () => step.skip ?? false,
    task: async (_c, task) => {
      await wait(step.until);
      if (step === plan.at(-1) && result !== undefined) task.title = `${step.title}: ${summary(result)}`;
    },
  }));
  await runTasks(ctx, tasks).catch(() => {});
  await running;
  ctx.signal.removeEventListener('abort', onAbort);
  if (failure !== undefined) throw failure;
  return result as T;
}
