import { describe, expect, it } from 'vitest';
import { passedRun } from '../../test/ui/fake-run.js';
import { nextSteps } from './next-steps.js';
import { foldJournal } from './run-state.js';

describe('next steps after a run', () => {
  it('offers the sign-off of a passed run only while nobody has signed it', () => {
    // Given a passed run, and the same run signed at its end by the approver
    const events = passedRun();
    const finished = events.at(-1)!;
    const signed = foldJournal([
      ...events.slice(0, -1),
      { type: 'run.signed', at: finished.at, approver: 'Grace Hopper' },
      finished,
    ]);
    // When the next steps are listed / Then signing is offered only for the unsigned record
    expect(nextSteps(foldJournal(events)).map((s) => s.what)).toContain('Sign the drill record as its approver');
    expect(nextSteps(signed).map((s) => s.what)).toEqual(['Check the record has not been changed since']);
  });
});
