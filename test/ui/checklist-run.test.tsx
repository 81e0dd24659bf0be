import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRun } from '../../src/runbook/engine.js';
import { writeRunReports } from '../../src/report/write.js';
import { createInkPrompter, PromptQueue } from '../../src/ui/prompt-queue.js';
import { renderRun } from '../../src/ui/render-run.js';
import { createTerminal, keys } from '../render.js';
import { onePhaseRunbook, tempDir, testActions } from '../runbook/helpers.js';

let stop: (() => void) | undefined;
afterEach(() => stop?.());

/** A real run of one manual step of three items, drawn in a fake 80×24 terminal. */
function checklistRun() {
  const actions = testActions();
  const prompter = createInkPrompter(new PromptQueue());
  const run = createRun({
    runbook: onePhaseRunbook(
      [
        '{ id: close, title: Close the incident, action: manual, with: { items: [Users can log in, Stakeholders told, Post-mortem booked] } }',
      ],
      actions,
    ),
    mode: 'incident',
    prompter,
    runsDir: tempDir(),
    actions,
    services: { interactive: true },
    writeReports: writeRunReports,
  });
  const terminal = createTerminal();
  const rendering = renderRun(run, { mode: 'tui', ...terminal, prompter, debug: true });
  stop = () => rendering.stop();
  return { run, terminal, result: run.start() };
}

describe('a checklist on the run screen', () => {
  it('enter with items unticked asks before submitting; No goes back to the list with the ticks kept', async () => {
    const { terminal, result } = checklistRun();
    await terminal.waitFor('0/3 done');
    await terminal.press(keys.space, keys.enter);
    await terminal.waitFor('2 of 3 not ticked — submit anyway?');
    expect(terminal.lastFrame()).toContain('Stakeholders told');
    await terminal.press('n');
    await terminal.waitFor('1/3 done');
    await terminal.press(keys.down, keys.space, keys.down, keys.space, keys.enter);
    expect((await result).status).toBe('passed');
  });

  it('Yes submits it incomplete: the run goes on and the report lists the gap as a deviation', async () => {
    const { terminal, result } = checklistRun();
    await terminal.waitFor('0/3 done');
    await terminal.press(keys.space, keys.enter);
    await terminal.waitFor('submit anyway?');
    await terminal.press('y');
    const done = await result;
    expect(done.status).toBe('passed');
    const report = JSON.parse(readFileSync(join(done.runDir, 'report.json'), 'utf8'));
    expect(report.deviations).toEqual([
      expect.objectContaining({
        stepId: 'close',
        what: 'Checklist submitted with 2 of 3 items not ticked: Stakeholders told; Post-mortem booked',
      }),
    ]);
    expect(report.checklists).toEqual([
      {
        stepId: 'close',
        title: 'Close the incident',
        items: [
          { item: 'Users can log in', ticked: true },
          { item: 'Stakeholders told', ticked: false },
          { item: 'Post-mortem booked', ticked: false },
        ],
      },
    ]);
  });
});
