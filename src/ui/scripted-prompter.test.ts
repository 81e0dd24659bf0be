import { describe, expect, it } from 'vitest';
import type { PromptRequest } from '../core/prompt.js';
import { PromptUnanswered, scriptedPrompter } from './scripted-prompter.js';

const signal = new AbortController().signal;
const confirm: PromptRequest = {
  kind: 'confirm',
  id: 'maintenance',
  message: 'Turn maintenance mode on?',
  default: false,
};
const select: PromptRequest = {
  kind: 'select',
  id: 'backup',
  message: 'Which backup?',
  choices: [
    { value: 'b1', label: 'latest' },
    { value: 'b2', label: 'older' },
  ],
};
const typeName: PromptRequest = {
  kind: 'type-name',
  id: 'confirm-db',
  message: 'Drop and restore app?',
  expected: 'app',
};
const text: PromptRequest = { kind: 'text', id: 'notes', message: 'Notes?', default: 'none' };
const checklist: PromptRequest = {
  kind: 'checklist',
  id: 'dns',
  message: 'DNS switched?',
  items: ['update record', 'flush cache'],
};

async function failure(promise: Promise<unknown>): Promise<PromptUnanswered> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromptUnanswered);
  return error as PromptUnanswered;
}

describe('scriptedPrompter', () => {
  it('with --yes confirms, picks the first choice, takes defaults (a No stays No) and ticks every item', async () => {
    const p = scriptedPrompter({ yes: true });
    expect(await p.ask({ ...confirm, default: undefined }, signal)).toBe(true);
    expect(await p.ask(confirm, signal)).toBe(false);
    expect(await p.ask(select, signal)).toBe('b1');
    expect(await p.ask(text, signal)).toBe('none');
    expect(await p.ask(checklist, signal)).toEqual(['update record', 'flush cache']);
  });

  it('never answers a type-name prompt with --yes, and names the flag to pass', async () => {
    const error = await failure(scriptedPrompter({ yes: true }).ask(typeName, signal));
    expect(error.message).toContain('confirm-db');
    expect(error.hint).toContain('--answer confirm-db=app');
    expect(error.hint).toContain('--yes never confirms');
  });

  it('accepts the exact name through --answer and refuses anything else', async () => {
    expect(await scriptedPrompter({ answers: { 'confirm-db': 'app' } }).ask(typeName, signal)).toBe('app');
    const error = await failure(
      scriptedPrompter({ answers: { 'confirm-db': 'APP' }, yes: true }).ask(typeName, signal),
    );
    expect(error.hint).toContain('--answer confirm-db=app');
  });

  it('without answers fails naming --answer <id>= and --yes', async () => {
    const error = await failure(scriptedPrompter().ask(confirm, signal));
    expect(error.message).toContain('maintenance');
    expect(error.hint).toBe('Pass --answer maintenance=yes|no, or --yes to accept the defaults.');
    expect(error.exitCode).toBe(2);
  });

  it('parses --answer values for each kind', async () => {
    const p = scriptedPrompter({ answers: { maintenance: 'no', backup: 'older', notes: 'fine', dns: 'flush cache' } });
    expect(await p.ask(confirm, signal)).toBe(false);
    expect(await p.ask(select, signal)).toBe('b2');
    expect(await p.ask(text, signal)).toBe('fine');
    expect(await p.ask(checklist, signal)).toEqual(['flush cache']);
    expect(await scriptedPrompter({ answers: { dns: 'all' } }).ask(checklist, signal)).toEqual([
      'update record',
      'flush cache',
    ]);
  });

  it('rejects answers that are not among the choices', async () => {
    const error = await failure(scriptedPrompter({ answers: { backup: 'b9' } }).ask(select, signal));
    expect(error.hint).toBe('Pass --answer backup=b1|b2.');
    await failure(scriptedPrompter({ answers: { maintenance: 'maybe' } }).ask(confirm, signal));
    await failure(scriptedPrompter({ answers: { dns: 'reboot' } }).ask(checklist, signal));
  });

  it('names the format each kind of question takes, in the error of a question left unanswered', async () => {
    const hint = async (request: PromptRequest) => (await failure(scriptedPrompter().ask(request, signal))).hint;
    expect(await hint(select)).toBe('Pass --answer backup=b1|b2, or --yes to accept the defaults.');
    expect(await hint(text)).toBe('Pass --answer notes=<text>, or --yes to accept the defaults.');
    expect(await hint(checklist)).toBe(
      'Pass --answer dns=all (or some: "dns=update record,flush cache"), or --yes to accept the defaults.',
    );
  });

  it('prefers an explicit answer over --yes', async () => {
    expect(await scriptedPrompter({ yes: true, answers: { maintenance: 'n' } }).ask(confirm, signal)).toBe(false);
  });
});
