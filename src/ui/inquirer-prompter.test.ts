import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Aborted } from '../core/errors.js';
import type { PromptRequest } from '../core/prompt.js';
import { inquirerPrompter } from './inquirer-prompter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Inquirer on a pair of pipes: what it prints, and keys typed into it. */
function pipes() {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  return {
    prompter: inquirerPrompter({ input, output }),
    printed: () => stripVTControlCharacters(printed),
    /** Types once Inquirer has drawn the question (it is loaded on the first one). */
    async type(...keys: string[]) {
      const deadline = Date.now() + 5000;
      while (!printed.includes('?') && Date.now() < deadline) await sleep(10);
      for (const key of keys) {
        await sleep(30);
        input.write(key);
      }
    },
  };
}

const signal = () => new AbortController().signal;

describe('inquirerPrompter', () => {
  it('type-name refuses a wrong name and accepts the exact one', async () => {
    const io = pipes();
    const request: PromptRequest = { kind: 'type-name', id: 'db', message: 'Restore over app?', expected: 'app' };
    const answer = io.prompter.ask(request, signal());
    await io.type('ap', '\r');
    await sleep(50);
    expect(io.printed()).toContain('Does not match; type exactly app');
    await io.type('p', '\r');
    expect(await answer).toBe('app');
  });

  it('checklist: space ticks, enter submits', async () => {
    const io = pipes();
    const answer = io.prompter.ask({ kind: 'checklist', id: 'c', message: 'Done?', items: ['one', 'two'] }, signal());
    await io.type(' ', '\u001B[B', ' ', '\r');
    expect(await answer).toEqual(['one', 'two']);
  });

  it('select and confirm', async () => {
    const io = pipes();
    const picked = io.prompter.ask(
      {
        kind: 'select',
        id: 's',
        message: 'Which?',
        choices: [
          { value: 'a', label: 'A' },
          { value: 'b', label: 'B' },
        ],
      },
      signal(),
    );
    await io.type('\u001B[B', '\r');
    expect(await picked).toBe('b');
    const confirmed = io.prompter.ask({ kind: 'confirm', id: 'c', message: 'Sure?', default: false }, signal());
    await sleep(50);
    await io.type('y', '\r');
    expect(await confirmed).toBe(true);
  });

  it('an aborted run rejects the open question with Aborted', async () => {
    const io = pipes();
    const controller = new AbortController();
    const answer = io.prompter.ask({ kind: 'text', id: 't', message: 'Notes?' }, controller.signal);
    await io.type();
    controller.abort();
    await expect(answer).rejects.toBeInstanceOf(Aborted);
  });
});
