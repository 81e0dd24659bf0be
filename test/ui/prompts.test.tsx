import { describe, expect, it } from 'vitest';
import { keys } from '../render.js';
import { track, tuiPerTest } from './tui-harness.js';

const setup = tuiPerTest();

describe('prompt area', () => {
  it('type-name refuses a wrong name, shows what is typed, and accepts the exact one', async () => {
    const { terminal, prompter, signal } = await setup();
    const answer = track(
      prompter.ask(
        { kind: 'type-name', id: 'confirm-db', message: 'Restore over app_prod?', expected: 'app_prod' },
        signal,
      ),
    );
    await terminal.waitFor('Type app_prod to continue');
    await terminal.press('app_pro', keys.enter);
    await terminal.waitFor('"app_pro" does not match; type exactly app_prod');
    expect(answer.settled).toBe(false);
    await terminal.press('D');
    await terminal.waitFor('to continue: app_proD');
    await terminal.press(keys.enter);
    await terminal.waitFor('"app_proD" does not match');
    await terminal.press(keys.backspace, 'd');
    await terminal.waitFor((f) => f.includes('to continue: app_prod') && !f.includes('does not match'));
    await terminal.press(keys.enter);
    await terminal.waitFor((f) => !f.includes('Restore over app_prod?'));
    expect(answer).toMatchObject({ settled: true, value: 'app_prod' });
  });

  it('type-name keeps q, l and ? as typed letters instead of shortcuts', async () => {
    const { run, terminal, prompter, signal } = await setup();
    const answer = track(prompter.ask({ kind: 'type-name', id: 'db', message: 'Drop?', expected: 'ql?' }, signal));
    await terminal.waitFor('Type ql? to continue');
    await terminal.press('q', 'l', '?', keys.enter);
    await terminal.waitFor((f) => !f.includes('Drop?'));
    expect(answer.value).toBe('ql?');
    expect(run.abortRequests).toBe(0);
  });

  it('checklist: arrows move, space ticks and unticks, enter submits the ticked items', async () => {
    const { terminal, prompter, signal } = await setup();
    const answer = track(
      prompter.ask(
        {
          kind: 'checklist',
          id: 'dns',
          message: 'Switch DNS',
          items: ['lower the TTL', 'update the record', 'flush caches'],
        },
        signal,
      ),
    );
    await terminal.waitFor('Switch DNS 0/3 done');
    await terminal.press(keys.space, keys.down, keys.down, keys.space);
    await terminal.waitFor('Switch DNS 2/3 done');
    expect(terminal.lastFrame()).toMatch(
      / {2}\[x\] lower the TTL[^\n]*\n[^\n]* {2}\[ \] update the record[^\n]*\n[^\n]*❯ \[x\] flush caches/,
    );
    await terminal.press(keys.up, keys.up, keys.space, keys.space, keys.space);
    await terminal.waitFor(/❯ \[ \] lower the TTL/);
    await terminal.press(keys.enter);
    await terminal.waitFor((f) => !f.includes('Switch DNS'));
    expect(answer.value).toEqual(['flush caches']);
  });

  it('keeps every key when several arrive before React re-renders (a paste, then enter)', async () => {
    const { terminal, prompter, signal } = await setup();
    const answer = track(
      prompter.ask({ kind: 'checklist', id: 'fast', message: 'Fast hands', items: ['one', 'two', 'three'] }, signal),
    );
    await terminal.waitFor('Fast hands 0/3 done');
    await terminal.press();
    for (const key of [keys.space, keys.down, keys.space, keys.down, keys.enter]) terminal.fakeStdin.write(key);
    await terminal.waitFor((f) => !f.includes('Fast hands'));
    expect(answer.value).toEqual(['one', 'two']);
    const name = track(prompter.ask({ kind: 'type-name', id: 'db', message: 'Drop app?', expected: 'app' }, signal));
    await terminal.waitFor('Type app to continue');
    await terminal.press();
    for (const key of ['a', 'pp', keys.enter]) terminal.fakeStdin.write(key);
    await terminal.waitFor((f) => !f.includes('Drop app?'));
    expect(name.value).toBe('app');
  });

  it('select: arrows move (and wrap), enter picks the value', async () => {
    const { terminal, prompter, signal } = await setup();
    const choices = [
      { value: 'b3', label: '20250116T1200Z', hint: 'verified' },
      { value: 'b2', label: '20250115T1200Z' },
      { value: 'b1', label: '20250114T1200Z' },
    ];
    const answer = track(prompter.ask({ kind: 'select', id: 'backup', message: 'Which backup?', choices }, signal));
    await terminal.waitFor('❯ 20250116T1200Z  verified');
    await terminal.press(keys.up);
    await terminal.waitFor('❯ 20250114T1200Z');
    await terminal.press(keys.down, keys.down);
    await terminal.waitFor('❯ 20250115T1200Z');
    await terminal.press(keys.enter);
    await terminal.waitFor((f) => !f.includes('Which backup?'));
    expect(answer.value).toBe('b2');
  });

  it('confirm: y, n, and enter for the default', async () => {
    const { terminal, prompter, signal } = await setup();
    const yes = track(prompter.ask({ kind: 'confirm', id: 'one', message: 'Turn maintenance mode on?' }, signal));
    await terminal.waitFor('Turn maintenance mode on? (y/n)');
    await terminal.press(keys.enter, 'y');
    await terminal.waitFor((f) => !f.includes('maintenance mode on'));
    expect(yes.value).toBe(true);
    const no = track(
      prompter.ask({ kind: 'confirm', id: 'two', message: 'Run the undo actions?', default: false }, signal),
    );
    await terminal.waitFor('Run the undo actions? (y/N)');
    await terminal.press(keys.enter);
    await terminal.waitFor((f) => !f.includes('undo actions'));
    expect(no.value).toBe(false);
  });

  it('text: typed value, or the default on an empty answer', async () => {
    const { terminal, prompter, signal } = await setup();
    const typed = track(prompter.ask({ kind: 'text', id: 'notes', message: 'Operator notes' }, signal));
    await terminal.waitFor('Operator notes');
    await terminal.press('restored from b3', keys.backspace, '4', keys.enter);
    await terminal.waitFor((f) => !f.includes('Operator notes'));
    expect(typed.value).toBe('restored from b4');
    const byDefault = track(
      prompter.ask({ kind: 'text', id: 'who', message: 'Who approved?', default: 'alice' }, signal),
    );
    await terminal.waitFor('Who approved? (alice)');
    await terminal.press(keys.enter);
    await terminal.waitFor((f) => !f.includes('Who approved?'));
    expect(byDefault.value).toBe('alice');
  });

  it('text and enter in one chunk (a slow SSH link sends keys in batches) submit what came before the enter', async () => {
    const { terminal, prompter, signal } = await setup();
    const notes = track(prompter.ask({ kind: 'text', id: 'notes', message: 'Operator notes' }, signal));
    await terminal.waitFor('Operator notes');
    await terminal.press();
    terminal.fakeStdin.write('drill ok\r');
    await terminal.waitFor((f) => !f.includes('Operator notes'));
    expect(notes.value).toBe('drill ok');
    const name = track(prompter.ask({ kind: 'type-name', id: 'db', message: 'Drop app?', expected: 'app' }, signal));
    await terminal.waitFor('Type app to continue');
    await terminal.press();
    terminal.fakeStdin.write('app\r');
    await terminal.waitFor((f) => !f.includes('Drop app?'));
    expect(name.value).toBe('app');
    const sure = track(prompter.ask({ kind: 'confirm', id: 'sure', message: 'Sure?', default: false }, signal));
    await terminal.waitFor('Sure? (y/N)');
    await terminal.press();
    terminal.fakeStdin.write('y\r');
    await terminal.waitFor((f) => !f.includes('Sure?'));
    expect(sure.value).toBe(true);
  });

  it('ticks, moves and submits a checklist typed faster than the link sends: keys batched in one chunk', async () => {
    const { terminal, prompter, signal } = await setup();
    const items = ['Database gone', 'Status page quiet', 'Channel open'];
    const done = track(prompter.ask({ kind: 'checklist', id: 'loss', message: 'Tick each', items }, signal));
    await terminal.waitFor('0/3 done');
    await terminal.press();
    // space, down, space, down, space, enter, as tmux and a slow SSH link deliver them: plain keys run together
    terminal.fakeStdin.write(' ');
    terminal.fakeStdin.write(keys.down);
    terminal.fakeStdin.write(' ');
    terminal.fakeStdin.write(keys.down);
    terminal.fakeStdin.write(' \r');
    await terminal.waitFor((f) => !f.includes('Tick each'));
    expect(done.value).toEqual(items);
    const pick = track(
      prompter.ask(
        {
          kind: 'select',
          id: 'way',
          message: 'Which way?',
          choices: [
            { value: 'a', label: 'A' },
            { value: 'b', label: 'B' },
          ],
        },
        signal,
      ),
    );
    await terminal.waitFor('Which way?');
    await terminal.press();
    terminal.fakeStdin.write('  \r');
    await terminal.waitFor((f) => !f.includes('Which way?'));
    expect(pick.value).toBe('a');
  });

  it('takes the question away when the engine aborts it', async () => {
    const { terminal, prompter } = await setup();
    const controller = new AbortController();
    const answer = track(prompter.ask({ kind: 'confirm', id: 'x', message: 'Proceed?' }, controller.signal));
    await terminal.waitFor('Proceed?');
    controller.abort();
    await terminal.waitFor((f) => !f.includes('Proceed?'));
    await new Promise((r) => setTimeout(r, 0));
    expect(answer.error).toBeInstanceOf(Error);
  });
});
