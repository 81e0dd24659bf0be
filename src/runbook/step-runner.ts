import { type z } from 'zod';
import { PgdrError, Aborted } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import type { ActionContext, ActionDefinition, ActionOutputs, TargetProfile } from '../actions/registry.js';
import { formatDuration } from '../core/duration.js';
import type { RunMode } from '../actions/registry.js';
import type { CancelReason } from './events.js';

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

/** How long a cancelled action may take to stop before the step is recorded as stopped anyway (overridable). */
export const CANCEL_GRACE_MS = 60_000;

/** A cancelled action that had not stopped when the grace period ended: it may still be at work. */
export class StepDidNotStop extends PgdrError {}

export interface Bounds {
  /** The run's signal: the operator aborted, or the run is being suspended. */
  parent: AbortSignal;
  timeoutMs?: number;
  stepId: string;
  /** How long a cancelled action gets to stop. */
  graceMs?: number;
  /** Told once when the action is told to stop, and why. */
  onCancelling?: (reason: CancelReason) => void;
  /** Whether an abort of `parent` is a suspension. */
  suspending?: () => boolean;
}

/**
 * Runs once, bounded by the timeout and the run's signal. A cancel is a request: the action is told through its
 * signal and awaited (up to the grace period), so what is recorded afterwards is what happened — it stopped, it
 * finished anyway, or it did not stop in time — and nothing of it runs on unseen after its step is over.
 */
export async function runWithTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, bounds: Bounds): Promise<T> {
  const { parent, timeoutMs, stepId } = bounds;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let cancel: { reason: CancelReason; error: Error } | undefined;
  let cancelled = () => {};
  const onCancel = new Promise<void>((resolve) => (cancelled = resolve));
  const stop = (reason: CancelReason, error: Error) => {
    if (cancel) return;
    cancel = { reason, error };
    controller.abort(error);
    bounds.onCancelling?.(reason);
    cancelled();
  };
  const onParent = () =>
    stop(bounds.suspending?.() ? 'suspend' : 'abort', parent.reason instanceof Error ? parent.reason : new Aborted());
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  if (timeoutMs !== undefined) {
    timer = setTimeout(
      () =>
        stop(
          'timeout',
          new StepTimedOut(`Step ${stepId} timed out after ${formatDuration(timeoutMs)}.`, {
            hint: "Raise the step's `timeout:` in the runbook if the work is just slow, or find out what it waits on.",
          }),
        ),
      timeoutMs,
    );
  }
  const work = cancel ? Promise.reject(cancel.error) : fn(controller.signal);
  try {
    const settled = work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const first = await Promise.race([settled, onCancel.then(() => undefined)]);
    const outcome = first ?? (await settledWithin(settled, bounds.graceMs ?? CANCEL_GRACE_MS));
    if (outcome && 'value' in outcome) return outcome.value;
    if (!cancel) throw outcome!.error;
    if (!outcome) {
      const grace = formatDuration(bounds.graceMs ?? CANCEL_GRACE_MS);
      throw new StepDidNotStop(
        `${cancel.error.message} Step ${stepId} did not stop within ${grace}; it may still be at work.`,
        {
          hint: 'Check what it was doing (its log lines, the processes and sessions it started) before going on.',
        },
      );
    }
    throw cancel.error;
  } finally {
    if (timer) clearTimeout(timer);
    // One listener per step on the run's signal would pile up over a long runbook.
    parent.removeEventListener('abort', onParent);
  }
}

async function settledWithin<T>(settled: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
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
  graceMs?: number;
  onCancelling?: (reason: CancelReason) => void;
  suspending?: () => boolean;
}

/** Attempts the action up to 1 + retries times; aborts and drill refusals are never retried. */
export async function attemptAction(options: AttemptOptions): Promise<ActionOutputs> {
  for (let attempt = 1; ; attempt++) {
    try {
      const outputs = await runWithTimeout(
        (signal) => options.action.run(options.ctx(signal, attempt), options.args as z.output<z.ZodType>),
        {
          parent: options.signal,
          timeoutMs: options.timeoutMs,
          stepId: options.stepId,
          graceMs: options.graceMs,
          onCancelling: options.onCancelling,
          suspending: options.suspending,
        },
      );
      return outputs ?? {};
    } catch (error) {
      if (
        options.signal.aborted ||
        error instanceof DrillRefused ||
        error instanceof InvalidStepArguments ||
        error instanceof StepDidNotStop ||
        attempt > options.retries
      )
        throw error;
      options.onRetry(attempt, error);
      await sleep(options.retryDelayMs, options.signal);
    }
  }
}
