import { describe, expect, it } from 'vitest';
import { RunCleanup } from '../../src/actions/run-services.js';
import { createRun } from '../../src/runbook/engine.js';
import { readJournal } from '../../src/runbook/journal.js';
import { buildReportModel } from '../../src/report/model.js';
import { rtoVerdict } from '../../src/ui/verdicts.js';
import { scripted, tempDir, testActions } from './helpers.js';
import { loadRunbookText } from '../../src/runbook/loader.js';

const RUNBOOK = `id: quick
title: Quick recovery
severity: low
rto: 1s
rpo: 1h
phases:
  - id: restore
    title: Restore
    steps:
      - { id: fast, title: Fast, action: test.slow, with: { ms: 100 } }
`;

describe('the RTO clock', () => {
  it('stops when the last phase ends: the drill’s cleanup after it is not recovery time', async () => {
    // Given a run that recovers in about 0.1 s of a 1 s RTO, and a drill cleanup (its scratch database) of 1.5 s
    const actions = testActions();
    const cleanup = new RunCleanup();
    cleanup.add('scratch database dropped', () => new Promise((r) => setTimeout(r, 1500)));
    const run = createRun({
      runbook: loadRunbookText(RUNBOOK, 'quick.yaml', actions),
      mode: 'drill',
      prompter: scripted(),
      runsDir: tempDir(),
      actions,
      services: { cleanup },
    });
    // When it runs
    const result = await run.start();
    // Then the run took over 1.5 s, but recovered within its RTO, and the screen and the record say so
    expect(result.status).toBe('passed');
    expect(result.durationMs).toBeGreaterThanOrEqual(1500);
    expect(result.rtoMet).toBe(true);
    const finished = readJournal(result.runDir).find((r) => r.type === 'run.finished')!;
    expect(finished).toMatchObject({ rtoMet: true, recoveredMs: expect.any(Number) });
    expect(rtoVerdict(finished as never)).toMatch(
      /^RTO 1.0s: met \(recovered in \d+ms, \d+% of the budget; the run's cleanup after it: 1\.\ds\)$/,
    );
    const model = buildReportModel(readJournal(result.runDir));
    expect(model.rto.met).toBe(true);
    expect(model.rto.actualMs).toBeLessThan(1000);
    expect(model.durationMs).toBeGreaterThanOrEqual(1500);
  });
});
