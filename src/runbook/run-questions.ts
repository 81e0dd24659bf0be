import { errorMessage } from '../core/errors.js';
import type { Prompter } from '../core/prompt.js';
import type { EngineCore } from './engine-core.js';
import type { PreflightContext } from './preflight.js';
import { isSettled } from './run-state.js';
import { goesOnAfterFailure } from './step-arguments.js';

/** What preflight checks the run against: its steps still to run, its targets, its services and who answers. */
export function preflightContext(core: EngineCore, prompter: Prompter): PreflightContext {
  const steps = core.runbook.phases.flatMap((p) => p.steps);
  return {
    runbook: core.runbook,
    mode: core.mode,
    actions: core.actions,
    prompter,
    targets: core.targets,
    services: core.services,
    scope: core.scope(),
    settled: (id) => {
      const step = steps.find((s) => s.id === id);
      return step !== undefined && isSettled(core.step(id), goesOnAfterFailure(core, step));
    },
  };
}

/** A drill with someone to answer ends by asking for the approver's sign-off (empty: sign later). */
export async function askSignoff(core: EngineCore, prompter: Prompter): Promise<void> {
  const request = {
    kind: 'text' as const,
    id: 'signoff',
    message: `Approver's name, to sign the drill record (empty: sign later with pgdr report sign ${core.runId}):`,
    default: '',
  };
  const scripted = prompter.canAnswer;
  if (core.mode !== 'drill' || (scripted ? !scripted(request) : !core.services.interactive)) return;
  try {
    const approver = String(await core.ask(request, new AbortController().signal)).trim();
    if (approver) core.emit({ type: 'run.signed', at: core.clock.now(), approver });
  } catch (error) {
    core.log('warn', `Not signed: ${errorMessage(error)}`);
  }
}
