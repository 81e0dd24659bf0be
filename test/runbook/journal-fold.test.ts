import { describe, expect, it } from 'vitest';
import { createRun, resumeRun } from '../../src/runbook/engine.js';
import { loadRunbookText } from '../../src/runbook/loader.js';
import { readJournal } from '../../src/runbook/journal.js';
import { buildReportModel } from '../../src/report/model.js';
import { foldJournal, stepsOf, type StepState } from '../../src/runbook/run-state.js';
import type { RunEvent } from '../../src/runbook/events.js';
import { initialScreenState, runReducer } from '../../src/ui/run-state.js';
import { scripted, tempDir, testActions } from './helpers.js';

const header = `id: t\ntitle: Test runbook\nseverity: low\nrto: 1h\nrpo: 24h\n`;

/** A run that fails at `flaky`, is resumed (flaky then passes) and is suspended again during `slow`. */
async function failedThenResumedThenSuspended() {
  const actions = testActions();
  const rb = loadRunbookText(
    `${header}phases:
  - id: a
    title: A
    steps:
      - { id: flaky, title: Flaky, action: test.flaky, with: { failures: 1 } }
      - { id: slow, title: Slow, action: test.slow, with: { ms: 10000 } }
`,
    'test.yaml',
    actions,
  );
  const runsDir = tempDir();
  const first = createRun({ runbook: rb, mode: 'drill', prompter: scripted(), runsDir, actions });
  expect((await first.start()).status).toBe('failed');
  const resumed = resumeRun(first.runId, { runsDir, prompter: scripted(), actions });
  resumed.subscribe((e) => {
    if (e.type === 'step.started' && e.stepId === 'slow') setTimeout(() => resumed.suspend('SIGHUP'), 30);
  });
  expect((await resumed.start()).status).toBe('suspended');
  return readJournal(first.runDir);
}

describe('the journal of a resumed run', () => {
  it("is reported as its final attempt left it: suspended, not the first attempt's failure", async () => {
    const model = buildReportModel(await failedThenResumedThenSuspended());
    expect(model.status).toBe('suspended');
    expect(model.passed).toBe(false);
    expect(model.finishedAt).toBeUndefined();
    expect(model.phases.find((p) => p.id === 'a')!.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
      ['flaky', 'succeeded', 2],
      ['slow', 'aborted', 1],
    ]);
    // The first attempt's failure is history (it was resumed), not an error of the run as it stands.
    expect(model.errors).toEqual([]);
    expect(model.interruptions).toEqual([
      expect.objectContaining({ at: expect.any(String), reason: 'the run failed at step flaky: flake 1' }),
    ]);
  });

  it('is folded one way: the screen replaying its events shows each step as the resume and the report see it', async () => {
    const records = await failedThenResumedThenSuspended();
    const events = records.filter(
      (r): r is RunEvent => r.type !== 'run.meta' && r.type !== 'step.action' && r.type !== 'run.suspended',
    );
    const screen = events.reduce(runReducer, initialScreenState());
    const seen = ({ id, status, attempt, attempts, startedAt, durationMs, error }: StepState) => ({
      ...{ id, status, attempt, attempts, startedAt, durationMs, error },
    });
    expect(stepsOf(screen).map(seen)).toEqual(stepsOf(foldJournal(records)).map(seen));
    expect(screen.resumed).toBe(true);
    expect(screen.interruptions.map((i) => i.reason)).toEqual(['the run failed at step flaky: flake 1']);
  });
});
