import { unfinishedChanges } from './aftermath.js';
import type { RunState } from './run-state.js';

/** Something the operator may do now that the run has ended, with the command to paste. */
export interface NextStep {
  what: string;
  command: string;
}

/** What comes after the run, from the journal's fold: the same list on the screen, in plain mode and in the report. */
export function nextSteps(state: RunState): NextStep[] {
  const runId = state.header?.runId;
  if (!runId) return [];
  const resume = { what: 'Continue the run where it stopped', command: `pgdr run --resume ${runId}` };
  const resumable = state.header?.resumable !== false;
  if (!state.finished) return state.suspended && resumable ? [resume] : [];
  const again = {
    what: 'Start the scenario again',
    command: `pgdr ${state.header?.mode === 'drill' ? 'drill' : 'run'} ${state.header?.runbook.id ?? '<runbook>'}`,
  };
  switch (state.finished.status) {
    case 'passed':
      return [
        ...(state.signoffs.length === 0
          ? [
              {
                what: 'Sign the drill record as its approver',
                command: `pgdr report sign ${runId} --approver "<your name>"`,
              },
            ]
          : []),
        { what: 'Check the record has not been changed since', command: `pgdr report verify ${runId}` },
      ];
    case 'failed':
      return [resumable ? { ...resume, what: 'Fix the cause, then continue the run where it stopped' } : again];
    case 'aborted':
      return [
        ...unfinishedChanges(state)
          .filter((t) => t.putBack)
          .map((t) => ({ what: `Put ${t.database} back as it was before the run`, command: t.putBack! })),
        again,
      ];
  }
}
