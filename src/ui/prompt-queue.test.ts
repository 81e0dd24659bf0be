import { describe, expect, it } from 'vitest';
import { Aborted } from '../core/errors.js';
import { createInkPrompter, PromptQueue } from './prompt-queue.js';

describe('Ink prompter queue', () => {
  it('shows one question at a time and resolves each with its answer', async () => {
    const prompter = createInkPrompter(new PromptQueue());
    const signal = new AbortController().signal;
    const first = prompter.ask({ kind: 'confirm', id: 'a', message: 'A?' }, signal);
    const second = prompter.ask({ kind: 'text', id: 'b', message: 'B?' }, signal);
    expect(prompter.queue.current()?.id).toBe('a');
    prompter.queue.answer('b', 'too early');
    expect(prompter.queue.current()?.id).toBe('a');
    prompter.queue.answer('a', true);
    expect(await first).toBe(true);
    expect(prompter.queue.current()?.id).toBe('b');
    prompter.queue.answer('b', 'fine');
    expect(await second).toBe('fine');
    expect(prompter.queue.current()).toBeUndefined();
  });

  it('takes the question off screen and rejects with Aborted when the run is aborted', async () => {
    const prompter = createInkPrompter(new PromptQueue());
    const controller = new AbortController();
    let changes = 0;
    prompter.queue.subscribe(() => changes++);
    const answer = prompter.ask({ kind: 'confirm', id: 'a', message: 'A?' }, controller.signal);
    controller.abort();
    await expect(answer).rejects.toBeInstanceOf(Aborted);
    expect(prompter.queue.current()).toBeUndefined();
    expect(changes).toBe(2);
    await expect(prompter.ask({ kind: 'confirm', id: 'b', message: 'B?' }, controller.signal)).rejects.toBeInstanceOf(
      Aborted,
    );
  });
});
