import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRun } from '../../src/runbook/engine.js';
import type { Run } from '../../src/runbook/run-api.js';
import { readJournal, type JournalRecord } from '../../src/runbook/journal.js';
import { defineAction, type ActionRegistry } from '../../src/actions/registry.js';
import { sleep } from '../../src/core/sleep.js';
import { onePhaseRunbook, scripted, tempDir, testActions } from './helpers.js';

/** Like a restore: notices the abort a moment late, and keeps logging while it cleans up. */
function actionsWithCleanup(finishAnyway: boolean) {
  return testActions().register(
    defineAction({
      name: 'test.restore-like',
      describe: 'stops 300 ms after its signal, logging as it goes',
      with: z.object({}),
      async run(ctx) {
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        for (let i = 0; i < 3; i++) {
          ctx.log.info(`cleaning up ${i}`);
          await sleep(100);
        }
        if (finishAnyway) return { finished: true };
        throw new Error('interrupted');
      },
    }),
  );
}

/** Runs `steps`, stopping the run (as `stop` does) 20 ms after the first step starts; the journal it leaves. */
async function stoppedRun(steps: string[], actions: ActionRegistry, stop: (run: Run) => void, graceMs?: number) {
  const run = createRun({
    runbook: onePhaseRunbook(steps, actions),
    mode: 'incident',
    prompter: scripted(),
    runsDir: tempDir(),
    actions,
    cancelGraceMs: graceMs,
  });
  run.subscribe((e) => {
    if (e.type === 'step.started' && e.stepId === 'restore') setTimeout(() => stop(run), 20);
  });
  const result = await run.start();
  return { result, records: readJournal(result.runDir) };
}

/** Records of `stepId` after its step.finished: a step is over only once its action has stopped. */
function after(records: JournalRecord[], stepId: string): JournalRecord[] {
  const end = records.findIndex((r) => r.type === 'step.finished' && r.stepId === stepId);
  expect(end).toBeGreaterThan(-1);
  return records.slice(end + 1).filter((r) => r.type !== 'run.suspended' && 'stepId' in r && r.stepId === stepId);
}

const restoreThenNext = [
  '{ id: restore, title: Restore, action: test.restore-like }',
  '{ id: next, title: Next, action: test.echo }',
];

describe('cancelling a step', () => {
  it.each([
    ['abort', (run: Run) => run.requestAbort()],
    ['suspend', (run: Run) => run.suspend('SIGHUP')],
  ] as const)(
    'on %s waits for the action to stop, says it is cancelling meanwhile, and records nothing of it afterwards',
    async (_how, stop) => {
      const { records } = await stoppedRun(restoreThenNext, actionsWithCleanup(false), stop);
      expect(after(records, 'restore')).toEqual([]);
      const cancelling = records.findIndex((r) => r.type === 'step.cancelling' && r.stepId === 'restore');
      const lastLog = records.findLastIndex((r) => r.type === 'log' && r.message === 'cleaning up 2');
      expect(cancelling).toBeGreaterThan(-1);
      expect(lastLog).toBeGreaterThan(cancelling);
      expect(records.find((r) => r.type === 'step.finished' && r.stepId === 'restore')).toMatchObject({
        status: 'aborted',
      });
      expect(records.some((r) => r.type === 'step.started' && r.stepId === 'next')).toBe(false);
    },
  );

  it('records a step that finished despite the abort as succeeded: the truth, not the request', async () => {
    const { result, records } = await stoppedRun(restoreThenNext, actionsWithCleanup(true), (run) =>
      run.requestAbort(),
    );
    expect(result.status).toBe('aborted');
    expect(records.find((r) => r.type === 'step.finished' && r.stepId === 'restore')).toMatchObject({
      status: 'succeeded',
      outputs: { finished: true },
    });
    expect(records.some((r) => r.type === 'step.started' && r.stepId === 'next')).toBe(false);
  });

  it('gives up on an action that ignores its signal after the grace period, and says it may still run', async () => {
    const { records } = await stoppedRun(
      ['{ id: restore, title: Hang, action: test.hang }'],
      testActions(),
      (run) => run.requestAbort(),
      300,
    );
    const finished = records.find((r) => r.type === 'step.finished' && r.stepId === 'restore');
    expect(finished).toMatchObject({ status: 'aborted' });
    expect(finished?.type === 'step.finished' && finished.error).toMatch(/did not stop within 300ms.*may still be/);
  });
});
