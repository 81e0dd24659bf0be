import { isPgdrError, errorMessage } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import { printable, printableLines } from '../core/printable.js';
import type { ActionContext } from '../actions/registry.js';
import { StepSkipped } from '../actions/registry.js';
import { UsageError } from '../core/errors.js';
import type { CancelReason, StepStatus } from './events.js';
import { stepsOf } from './run-state.js';
import type { RunbookPhase, RunbookStep } from './schema.js';
import { evaluateCondition } from './template.js';
import { parseDuration } from '../core/duration.js';
import { assertDrillSafe, attemptAction, parseArguments, StepDidNotStop } from './step-runner.js';
import { actionOf, argumentsOf } from './step-arguments.js';
import type { EngineCore } from './engine-core.js';
import { cutOff, interruptedStep } from './resume-step.js';

const DEFAULT_RETRY_DELAY = 1000;

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
    restoreTiming: (timing) => core.emit({ type: 'restore.timing', at: core.clock.now(), stepId, ...timing }),
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
      reason?: string;
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
    if (error instanceof StepSkipped) return finish('skipped', started, { reason: printableLines(error.reason) });
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
