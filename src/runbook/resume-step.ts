import type { ActionDefinition } from '../actions/registry.js';
import { outputsUsedLater } from './checks.js';
import type { StepState } from './run-state.js';
import type { RunbookStep } from './schema.js';
import type { EngineCore } from './engine-core.js';
import { argumentsOf } from './step-arguments.js';
import { parseArguments } from './step-runner.js';

function restartable(core: EngineCore, step: RunbookStep, action: ActionDefinition): boolean {
  if (typeof action.restartable !== 'function') return Boolean(action.restartable);
  try {
    return action.restartable(parseArguments(action, step.id, argumentsOf(core, step)));
  } catch {
    return false;
  }
}

/** A step the last attempt left unfinished: killed while it ran (no end recorded), or stopped by a suspension. */
export function cutOff(prior: StepState | undefined): boolean {
  return prior?.status === 'running' || (prior?.status === 'aborted' && prior.cancelled === 'suspend');
}

export async function interruptedStep(
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
