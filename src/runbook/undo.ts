import { errorMessage } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { aftermath, aftermathLines, unfinishedChanges } from './aftermath.js';
import type { RunbookStep } from './schema.js';
import { actionContext } from './step-executor.js';
import type { EngineCore } from './engine-core.js';
import { actionOf, argumentsOf } from './step-arguments.js';

const DEFAULT_UNDO_TIMEOUT = 5 * 60_000;
import { assertDrillSafe, parseArguments, runWithTimeout } from './step-runner.js';
import { renderValue } from './template.js';

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
