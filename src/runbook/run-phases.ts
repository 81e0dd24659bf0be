import type { StepStatus } from './events.js';
import { isSettled } from './run-state.js';
import { executeStep } from './step-executor.js';
import { goesOnAfterFailure } from './step-arguments.js';
import type { EngineCore } from './engine-core.js';

/**
 * Runs the runbook's phases from where the journal says the run is: a phase whose steps are all settled is passed
 * over, each open step runs in turn, and the first step that fails (and does not let the run go on) or is stopped ends
 * the run. Returns whether a step failed it.
 */
export async function runPhases(core: EngineCore, checkRto: () => void): Promise<boolean> {
  let failed = false;
  for (const phase of core.runbook.phases) {
    const open = phase.steps.filter((s) => !isSettled(core.step(s.id), goesOnAfterFailure(core, s)));
    if (open.length === 0) continue;
    const phaseStart = core.clock.now();
    core.emit({ type: 'phase.started', at: phaseStart, phaseId: phase.id, title: phase.title });
    let phaseStatus: StepStatus = 'succeeded';
    for (const step of phase.steps) {
      if (isSettled(core.step(step.id), goesOnAfterFailure(core, step))) continue;
      if (core.stop.signal.aborted) break;
      checkRto();
      const status = await executeStep(core, phase, step);
      if (status === 'failed' && goesOnAfterFailure(core, step)) continue;
      if (status === 'failed' || status === 'aborted') {
        phaseStatus = status;
        failed = status === 'failed';
        break;
      }
    }
    if (core.suspendedBy) break;
    if (core.abortRequested && phaseStatus === 'succeeded') phaseStatus = 'aborted';
    const ended = phaseStatus === 'succeeded';
    if (ended && phase.steps.every((s) => core.step(s.id)?.status === 'skipped')) phaseStatus = 'skipped';
    core.emit({
      type: 'phase.finished',
      at: core.clock.now(),
      phaseId: phase.id,
      status: phaseStatus,
      durationMs: core.clock.now() - phaseStart,
    });
    if (!ended) break;
  }
  return failed;
}
