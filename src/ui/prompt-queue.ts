import { Aborted } from '../core/errors.js';
import type { PromptAnswer, PromptRequest, Prompter } from '../core/prompt.js';

interface Pending {
  request: PromptRequest;
  resolve: (answer: PromptAnswer) => void;
}

/** Questions waiting for the TUI, one on screen at a time; shared by the Ink prompter and the prompt area. */
export class PromptQueue {
  private pending: Pending[] = [];
  private readonly listeners = new Set<() => void>();

  current = (): PromptRequest | undefined => this.pending[0]?.request;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  ask(request: PromptRequest, signal: AbortSignal): Promise<PromptAnswer> {
    if (signal.aborted) return Promise.reject(new Aborted());
    return new Promise<PromptAnswer>((resolve, reject) => {
      const onAbort = () => {
        this.remove(entry);
        reject(new Aborted());
      };
      const entry: Pending = {
        request,
        resolve: (answer) => {
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.push(entry);
      this.notify();
    });
  }

  /** Called by the prompt area when the operator submits; ignored if that prompt is no longer on screen. */
  answer(promptId: string, answer: PromptAnswer): void {
    const head = this.pending[0];
    if (!head || head.request.id !== promptId) return;
    this.remove(head);
    head.resolve(answer);
  }

  private remove(entry: Pending): void {
    const before = this.pending.length;
    this.pending = this.pending.filter((p) => p !== entry);
    if (this.pending.length !== before) this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

export interface InkPrompter extends Prompter {
  readonly queue: PromptQueue;
}

/** The queue renderRun's TUI shows when it is given no prompter of its own. */
export const defaultPromptQueue = new PromptQueue();

/** Give it to the engine as its Prompter; the TUI (renderRun mode 'tui') shows its questions in the prompt area. */
export function createInkPrompter(queue: PromptQueue = defaultPromptQueue): InkPrompter {
  return { queue, ask: (request, signal) => queue.ask(request, signal) };
}
