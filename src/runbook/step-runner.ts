import { type z } from 'zod';
import { PgdrError, Aborted } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import type { ActionContext, ActionDefinition, ActionOutputs, TargetProfile } from '../actions/registry.js';
import { formatDuration } from '../core/duration.js';
import type { RunMode } from '../actions/registry.js';

export class StepTimedOut extends PgdrError {}
/** Safety rule 1 refused a step. Exit 3. */
export class DrillRefused extends PgdrError {
  static override readonly exitCode: number = 3;
}
export class InvalidStepArguments extends PgdrError {}

/** Validates templated arguments against the action's schema; messages name the field. */
export function parseArguments(action: ActionDefinition, stepId: string, args: unknown): unknown {
  const result = action.with.safeParse(args ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `with.${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new InvalidStepArguments(`Step ${stepId} (${action.name}) got invalid arguments after templating: ${issues}.`, {
    hint: 'Check the inputs and the outputs of earlier steps the `with:` refers to.',
  });
}

/** Safety rule 1: a drill never writes to a target marked production. */
export function assertDrillSafe(
  mode: RunMode,
  action: ActionDefinition,
  args: Record<string, unknown>,
  targets: Readonly<Record<string, TargetProfile>>,
  stepId: string,
): void {
  if (mode !== 'drill') return;
  for (const use of action.targets ?? []) {
    if (use.access !== 'write') continue;
    const name = String(args[use.field] ?? 'primary');
    if (targets[name]?.production) {
      throw new DrillRefused(
        `Step ${stepId} (${action.name}) would write to '${name}', a target marked production; a drill never does.`,
        {
          hint: `Point with.${use.field} at a scratch target, or run the scenario for real with \`pgdr run\`.`,
        },
      );
    }
  }
}

/** Runs once, bounded by the timeout and the run's abort signal, even if the action ignores its signal. */
export async function runWithTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  parent: AbortSignal,
  timeoutMs: number | undefined,
  stepId: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onParent = () => {};
  const stop = new Promise<never>((_, reject) => {
    onParent = () => {
      controller.abort(parent.reason);
      reject(parent.reason instanceof Error ? parent.reason : new Aborted());
    };
    if (parent.aborted) onParent();
    else parent.addEventListener('abort', onParent, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new StepTimedOut(`Step ${stepId} timed out after ${formatDuration(timeoutMs)}.`, {
          hint: "Raise the step's `timeout:` in the runbook if the work is just slow, or find out what it waits on.",
        });
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    }
  });
  stop.catch(() => {});
  try {
    return await Promise.race([fn(controller.signal), stop]);
  } finally {
    if (timer) clearTimeout(timer);
    // One listener per step on the run's signal would pile up over a long runbook.
    parent.removeEventListener('abort', onParent);
  }
}

export interface AttemptOptions {
  action: ActionDefinition;
  args: unknown;
  ctx: (signal: AbortSignal, attempt: number) => ActionContext;
  signal: AbortSignal;
  timeoutMs?: number;
  retries: number;
  retryDelayMs: number;
  stepId: string;
  onRetry(attempt: number, error: unknown): void;
}

/** Attempts the action up to 1 + retries times; aborts and drill refusals are never retried. */
export async function attemptAction(options: AttemptOptions): Promise<ActionOutputs> {
  for (let attempt = 1; ; attempt++) {
    try {
      const outputs = await runWithTimeout(
        (signal) => options.action.run(options.ctx(signal, attempt), options.args as z.output<z.ZodType>),
        options.signal,
        options.timeoutMs,
        options.stepId,
      );
      return outputs ?? {};
    } catch (error) {
      if (
        options.signal.aborted ||
        error instanceof DrillRefused ||
        error instanceof InvalidStepArguments ||
        attempt > options.retries
      )
        throw error;
      options.onRetry(attempt, error);
      await sleep(options.retryDelayMs, options.signal);
    }
  }
}
