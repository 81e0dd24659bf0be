import { errorMessage, isPgdrError } from '../core/errors.js';
import { printableLines } from '../core/printable.js';
import type { RunHeader } from './events.js';
import type { PreflightCheck } from './preflight.js';
import type { EngineCore } from './engine-core.js';

export const PREFLIGHT = { id: 'preflight', title: 'Preflight' };

/** How the preflight phase appears in the run's header, before the runbook's own phases. */
export function preflightPhase(checks: PreflightCheck[]): RunHeader['phases'][number] {
  return { ...PREFLIGHT, steps: checks.map((c) => ({ id: c.id, title: c.title, action: 'preflight' })) };
}

/**
 * Runs the checks as a phase of their own, journaled like any other, before the runbook's first step and before the
 * team is told the run began: a run that cannot ask its questions or reach its targets stops here, having paged nobody.
 */
export async function runPreflightPhase(core: EngineCore, checks: PreflightCheck[]): Promise<void> {
  const began = core.clock.now();
  core.emit({ type: 'phase.started', at: began, phaseId: PREFLIGHT.id, title: PREFLIGHT.title });
  const end = (status: 'succeeded' | 'failed') =>
    core.emit({
      type: 'phase.finished',
      at: core.clock.now(),
      phaseId: PREFLIGHT.id,
      status,
      durationMs: core.clock.now() - began,
    });
  for (const check of checks) {
    const started = core.clock.now();
    const step = { phaseId: PREFLIGHT.id, stepId: check.id };
    core.record({ type: 'step.action', at: started, stepId: check.id, action: 'preflight', validation: false });
    core.emit({ type: 'step.started', at: started, ...step, title: check.title, attempt: 1 });
    try {
      const { notes, ...outputs } = await check.run();
      for (const note of notes ?? []) core.log('info', note, check.id);
      core.emit({
        type: 'step.finished',
        at: core.clock.now(),
        ...step,
        status: 'succeeded',
        durationMs: core.clock.now() - started,
        outputs,
      });
    } catch (error) {
      core.emit({
        type: 'step.finished',
        at: core.clock.now(),
        ...step,
        status: 'failed',
        durationMs: core.clock.now() - started,
        error: printableLines(errorMessage(error)),
        hint: isPgdrError(error) && error.hint ? printableLines(error.hint) : undefined,
      });
      end('failed');
      throw error;
    }
  }
  end('succeeded');
}
