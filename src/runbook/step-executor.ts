import { isPgdrError, errorMessage } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import { printable, printableLines } from '../core/printable.js';
import type { ActionContext, ActionDefinition, ActionRegistry, TargetProfile } from '../actions/registry.js';
import type { RunServices } from '../actions/run-services.js';
import { UsageError } from '../core/errors.js';
import type { PromptAnswer, PromptRequest } from '../core/prompt.js';
import type { CancelReason, RunEvent, StepStatus } from './events.js';
import type { RunMode } from '../actions/registry.js';
import type { JournalRecord } from './journal.js';
import { stepsOf, type RunState, type StepState } from './run-state.js';
import type { Runbook, RunbookPhase, RunbookStep } from './schema.js';
import type { Clock } from './rto.js';
import { evaluateCondition, renderValue } from './template.js';
import { outputsUsedLater } from './checks.js';
import { aftermath, aftermathLines, unfinishedChanges } from './aftermath.js';
import { parseDuration } from '../core/duration.js';
import { assertDrillSafe, attemptAction, parseArguments, runWithTimeout, StepDidNotStop } from './step-runner.js';

/** What a step needs from the engine; kept narrow so steps can be tested and read on their own. */
export interface EngineCore {
  readonly runId: string;
  readonly runDir: string;
  readonly mode: RunMode;
  readonly clock: Clock;
  readonly runbook: Runbook;
  readonly actions: ActionRegistry;
  readonly targets: Record<string, TargetProfile>;
  /** The run so far, folded from its journal. */
  readonly state: RunState;
  step(stepId: string): StepState | undefined;
  readonly stop: AbortController;
  readonly wasResumed: boolean;
  readonly services: RunServices;
  inputs: Record<string, unknown>;
  currentStep: string | undefined;
  abortRequested: boolean;
  suspendedBy: string | undefined;
  /** How long a cancelled step's action gets to stop. */
  readonly cancelGraceMs?: number;
  emit(event: RunEvent): void;
  record(record: JournalRecord): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, stepId?: string): void;
  ask(request: PromptRequest, signal: AbortSignal, stepId?: string): Promise<PromptAnswer>;
  requestAbort(): void;
  scope(): Record<string, unknown>;
}

const DEFAULT_RETRY_DELAY = 1000;
const DEFAULT_UNDO_TIMEOUT = 5 * 60_000;

export function actionOf(step: RunbookStep): string {
  return step.action ?? 'manual';
}

function argumentsOf(core: EngineCore, step: RunbookStep): unknown {
  if (step.manual) return { items: step.manual };
  return renderValue(step.with ?? {}, core.scope(), core.actions.get(actionOf(step)).templates);
}

/** The outputs of every step that has run, for hooks (PGDR_OUT_<STEP>_<NAME>). */
function outputsSoFar(core: EngineCore): Record<string, Record<string, unknown>> {
  return Object.fromEntries(stepsOf(core.state).map((step) => [step.id, step.outputs]));
}

export function actionContext(core: EngineCore, stepId: string, signal: AbortSignal): ActionContext {
  // What an action logs often quotes a hook's output or a database's rows: one printable line each.
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) =>
    core.log(level, printable(message), stepId);
  return {
    runId: core.runId,
    stepId,
    mode: core.mode,
    runDir: core.runDir,
    inputs: core.inputs,
    outputs: outputsSoFar(core),
    targets: core.targets,
    signal,
    services: core.services,
    target(name = 'primary') {
      const profile = core.targets[name];
      if (!profile)
        throw new UsageError(
          `Step ${stepId} needs the target '${name}', which this run was not given.`,
          `Pass it: --target ${name}=postgres://… (known: ${Object.keys(core.targets).join(', ') || 'none'}).`,
        );
      registerSecret(profile.target.password);
      return profile.target;
    },
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    progress: (update) => core.emit({ type: 'progress', at: core.clock.now(), stepId, ...update }),
    prompt: (request) => core.ask(request, signal, stepId),
    emit: (event) => core.emit({ ...event, stepId }),
    destructive: (change) => core.emit({ type: 'step.destructive', at: core.clock.now(), stepId, ...change }),
    safetySnapshot: (snapshot) => core.emit({ type: 'safety.snapshot', at: core.clock.now(), stepId, ...snapshot }),
    now: () => core.clock.now(),
  };
}

/** On resume: the steps that had succeeded set up again what they left for the end of the run (ActionDefinition.rearm). */
export function rearmSettledSteps(core: EngineCore): void {
  for (const step of core.runbook.phases.flatMap((p) => p.steps)) {
    const record = core.step(step.id);
    if (record?.status !== 'succeeded') continue;
    try {
      const action = core.actions.get(actionOf(step));
      if (!action.rearm) continue;
      action.rearm(
        actionContext(core, step.id, core.stop.signal),
        parseArguments(action, step.id, argumentsOf(core, step)),
        record.outputs,
      );
    } catch (error) {
      core.log(
        'warn',
        `What step ${step.id} left for the end of the run could not be set up again: ${errorMessage(error)}`,
        step.id,
      );
    }
  }
}

/** Runs one step to a final status; 'aborted' without a step.finished means the run was suspended. */
export async function executeStep(core: EngineCore, phase: RunbookPhase, step: RunbookStep): Promise<StepStatus> {
  const prior = core.step(step.id);
  const name = actionOf(step);
  const action = core.actions.get(name);
  const finish = (
    status: StepStatus,
    started: number,
    extra: {
      outputs?: Record<string, unknown>;
      error?: string;
      hint?: string;
      markedDone?: boolean;
      cancelled?: CancelReason;
    } = {},
  ) => {
    core.emit({
      type: 'step.finished',
      at: core.clock.now(),
      phaseId: phase.id,
      stepId: step.id,
      status,
      durationMs: core.clock.now() - started,
      ...extra,
    });
    return status;
  };
  if (core.wasResumed && cutOff(prior)) {
    const again = await interruptedStep(core, step, action, prior!);
    if (again === 'done') return finish('succeeded', core.clock.now(), { outputs: {}, markedDone: true });
    if (again === 'abort') return 'aborted';
  }
  if (step.when && !evaluateCondition(step.when, core.scope())) return finish('skipped', core.clock.now());
  const started = core.clock.now();
  core.currentStep = step.id;
  core.record({
    type: 'step.action',
    at: started,
    stepId: step.id,
    action: name,
    validation: Boolean(action.validation),
  });
  core.emit({ type: 'step.started', at: started, phaseId: phase.id, stepId: step.id, title: step.title, attempt: 1 });
  let cancelled: CancelReason | undefined;
  try {
    const args = parseArguments(action, step.id, argumentsOf(core, step)) as Record<string, unknown>;
    assertDrillSafe(core.mode, action, args, core.targets, step.id);
    const outputs = await attemptAction({
      action,
      args,
      stepId: step.id,
      signal: core.stop.signal,
      ctx: (signal) => actionContext(core, step.id, signal),
      timeoutMs: step.timeout ? parseDuration(step.timeout) : undefined,
      retries: step.retries ?? 0,
      retryDelayMs: step.retryDelay ? parseDuration(step.retryDelay) : DEFAULT_RETRY_DELAY,
      graceMs: core.cancelGraceMs,
      suspending: () => core.suspendedBy !== undefined,
      onCancelling: (reason) => {
        cancelled = reason;
        core.emit({ type: 'step.cancelling', at: core.clock.now(), stepId: step.id, reason });
      },
      onRetry: (attempt, error) => {
        core.log(
          'warn',
          `Attempt ${attempt} failed: ${errorMessage(error)}; retrying (${attempt}/${step.retries}).`,
          step.id,
        );
        core.emit({
          type: 'step.started',
          at: core.clock.now(),
          phaseId: phase.id,
          stepId: step.id,
          title: step.title,
          attempt: attempt + 1,
        });
      },
    });
    return finish('succeeded', started, { outputs });
  } catch (error) {
    const stopped = error instanceof StepDidNotStop ? printableLines(errorMessage(error)) : undefined;
    const hint = isPgdrError(error) && error.hint ? printableLines(error.hint) : undefined;
    if (core.suspendedBy) {
      finish('aborted', started, {
        error: stopped ?? `Stopped: the run was suspended (${core.suspendedBy}).`,
        hint: stopped ? hint : undefined,
        cancelled: 'suspend',
      });
      return 'aborted';
    }
    if (core.abortRequested)
      return finish('aborted', started, {
        error: stopped ?? 'Aborted by the operator.',
        hint: stopped ? hint : undefined,
        cancelled: 'abort',
      });
    return finish('failed', started, { error: printableLines(errorMessage(error)), hint, cancelled });
  } finally {
    core.currentStep = undefined;
  }
}

function restartable(core: EngineCore, step: RunbookStep, action: ActionDefinition): boolean {
  if (typeof action.restartable !== 'function') return Boolean(action.restartable);
  try {
    return action.restartable(parseArguments(action, step.id, argumentsOf(core, step)));
  } catch {
    return false;
  }
}

/** A step the last attempt left unfinished: killed while it ran (no end recorded), or stopped by a suspension. */
function cutOff(prior: StepState | undefined): boolean {
  return prior?.status === 'running' || (prior?.status === 'aborted' && prior.cancelled === 'suspend');
}

async function interruptedStep(
  core: EngineCore,
  step: RunbookStep,
  action: ActionDefinition,
  prior: StepState,
): Promise<'again' | 'done' | 'abort'> {
  if (action.idempotent) {
    core.log(
      'info',
      `Step ${step.id} was running when the run stopped; ${action.name} is safe to repeat, so it runs again.`,
      step.id,
    );
    return 'again';
  }
  if (prior.cancelled === 'suspend' && restartable(core, step, action)) {
    core.log(
      'info',
      `Step ${step.id} was stopped when the run was suspended and ${action.name} cleans up after itself when stopped, so it starts over.`,
      step.id,
    );
    return 'again';
  }
  // pgdr did not see the outputs of a step that was cut off; later steps must not read them as empty.
  const usedLater = outputsUsedLater(core.runbook, step.id);
  const answer = await core.ask(
    {
      kind: 'select',
      id: `resume.${step.id}`,
      message: `Step "${step.title}" was running when the run stopped. Check its effect, then:${usedLater.length ? ` (it cannot be marked done: later steps use ${usedLater.join(', ')}, which only running it gives)` : ''}`,
      choices: [
        { value: 'again', label: 'Run it again' },
        ...(usedLater.length ? [] : [{ value: 'done', label: 'Mark it done (it finished)' }]),
        { value: 'abort', label: 'Abort the run' },
      ],
    },
    core.stop.signal,
    step.id,
  );
  if (answer === 'abort') core.requestAbort();
  return answer === 'done' ? 'done' : answer === 'abort' ? 'abort' : 'again';
}

/** After an abort: offers to undo what finished steps switched on, newest first, and records the answer. */
export async function runUndos(core: EngineCore): Promise<void> {
  const candidates = core.runbook.phases
    .flatMap((p) => p.steps)
    .filter(
      (step) => core.step(step.id)?.status === 'succeeded' && (step.undo || core.actions.get(actionOf(step)).undo),
    )
    // Steps run one after another, so runbook order is completion order (timestamps tie within a millisecond).
    .reverse();
  if (candidates.length === 0) return;
  const signal = new AbortController().signal;
  const unfinished = unfinishedChanges(core.state);
  const answer = await core.ask(
    {
      kind: 'confirm',
      id: 'undo',
      message: `Run the undo actions of ${candidates.length} completed step(s), newest first: ${candidates.map((s) => s.title).join(', ')}?${
        unfinished.length
          ? ` ${unfinished.map((t) => t.database).join(', ')} did not finish changing: undoing lets connections and traffic back onto a database that is part-way.`
          : ''
      }`,
      details: aftermathLines(aftermath(core.state)),
      // Traffic back onto a half-restored database is worse than keeping the maintenance page up a while longer.
      default: unfinished.length === 0,
    },
    signal,
  );
  if (answer !== true) {
    core.log('warn', 'Undo declined: what the run switched on stays on.');
    return;
  }
  for (const step of candidates) {
    core.emit({ type: 'undo.started', at: core.clock.now(), stepId: step.id, title: step.title });
    try {
      await runWithTimeout((undoSignal) => undoStep(core, step, undoSignal), {
        parent: signal,
        timeoutMs: step.timeout ? parseDuration(step.timeout) : DEFAULT_UNDO_TIMEOUT,
        stepId: step.id,
        graceMs: core.cancelGraceMs,
      });
      core.emit({ type: 'undo.finished', at: core.clock.now(), stepId: step.id, status: 'succeeded' });
    } catch (error) {
      core.emit({
        type: 'undo.finished',
        at: core.clock.now(),
        stepId: step.id,
        status: 'failed',
        error: errorMessage(error),
      });
    }
  }
}

async function undoStep(core: EngineCore, step: RunbookStep, signal: AbortSignal): Promise<void> {
  const ctx = actionContext(core, step.id, signal);
  if (step.undo) {
    const action = core.actions.get(step.undo.action);
    const args = parseArguments(
      action,
      step.id,
      renderValue(step.undo.with ?? {}, core.scope(), action.templates),
    ) as Record<string, unknown>;
    assertDrillSafe(core.mode, action, args, core.targets, step.id);
    await action.run(ctx, args);
    return;
  }
  const action = core.actions.get(actionOf(step));
  const args = parseArguments(action, step.id, argumentsOf(core, step));
  await action.undo!(ctx, args, core.step(step.id)?.outputs ?? {});
}
