import { describe, expect, it } from 'vitest';
import { keys } from '../render.js';
import { restoreStarted, T0 } from './fake-run.js';
import { tuiPerTest } from './tui-harness.js';

const setup = tuiPerTest();

/** The restore step runs and has said it now changes `app` in place. */
function destructiveRestore(run: Awaited<ReturnType<typeof setup>>['run']) {
  run.emit({ type: 'phase.started', at: T0, phaseId: 'restore', title: 'Restore' }, restoreStarted, {
    type: 'step.destructive',
    at: T0,
    stepId: 'pg-restore',
    target: 'restored',
    server: 'postgres://app@db:5432/app',
    database: 'app',
    what: 'restored in place',
  });
}

describe('stopping a run from the screen', () => {
  it('one stray q stops nothing: it asks Keep going / Suspend / Abort, and enter keeps going', async () => {
    const { run, terminal } = await setup();
    await terminal.press('q');
    const dialog = await terminal.waitFor('Stop the run?');
    expect(dialog).toMatch(/❯ Keep going/);
    expect(dialog).toContain('Suspend');
    expect(dialog).toContain('Abort');
    expect(run.abortRequests).toBe(0);
    await terminal.press(keys.enter);
    await terminal.waitFor((f) => !f.includes('Stop the run?'));
    expect(run.abortRequests).toBe(0);
    expect(run.suspensions).toEqual([]);
  });

  it('Abort asks the engine to abort, once, and the key line says it is aborting', async () => {
    const { run, terminal } = await setup();
    await terminal.press('q');
    await terminal.waitFor('Stop the run?');
    await terminal.press(keys.down, keys.down, keys.enter);
    await terminal.waitFor('aborting');
    expect(run.abortRequests).toBe(1);
    await terminal.press('q');
    expect(run.abortRequests).toBe(1);
  });

  it('Suspend leaves the run resumable and names the command that continues it', async () => {
    const { run, terminal } = await setup();
    await terminal.press('q');
    await terminal.waitFor('pgdr run --resume 20250116T120304Z-complete-loss');
    await terminal.press(keys.down, keys.enter);
    await terminal.waitFor('suspending');
    expect(run.suspensions).toEqual(['suspended by the operator']);
    expect(run.abortRequests).toBe(0);
  });

  it('during a step that changes a database in place, stopping needs its name typed', async () => {
    const { run, terminal } = await setup();
    destructiveRestore(run);
    await terminal.waitFor('Restore the dump');
    await terminal.press('q');
    await terminal.waitFor('Stop the run?');
    await terminal.press(keys.down, keys.down, keys.enter);
    await terminal.waitFor('Type app to abort');
    expect(terminal.lastFrame()).toContain('partly restored');
    await terminal.press('ap', keys.enter);
    await terminal.waitFor('"ap" does not match');
    expect(run.abortRequests).toBe(0);
    await terminal.press('p', keys.enter);
    await terminal.waitFor('aborting');
    expect(run.abortRequests).toBe(1);
  });

  it('ctrl-c opens the dialog even while a question is open, and esc goes back to the question', async () => {
    const { run, terminal, prompter, signal } = await setup();
    void prompter.ask({ kind: 'text', id: 'notes', message: 'Notes' }, signal);
    await terminal.waitFor('Notes');
    await terminal.press('q');
    expect(terminal.lastFrame()).not.toContain('Stop the run?');
    await terminal.press(keys.ctrlC);
    await terminal.waitFor('Stop the run?');
    expect(run.abortRequests).toBe(0);
    await terminal.press(keys.escape);
    await terminal.waitFor((f) => f.includes('Notes') && !f.includes('Stop the run?'));
    expect(run.abortRequests).toBe(0);
  });
});
