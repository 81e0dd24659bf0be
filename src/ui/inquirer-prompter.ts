import { Aborted } from '../core/errors.js';
import type { PromptAnswer, PromptRequest, Prompter } from '../core/prompt.js';

export interface InquirerStreams {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** Loaded on the first question: most runs never ask one in plain mode. */
async function ask(request: PromptRequest, context: InquirerStreams & { signal: AbortSignal }): Promise<PromptAnswer> {
  const { checkbox, confirm, input, password, select } = await import('@inquirer/prompts');
  const message = [...(request.details ?? []), request.message].join('\n');
  switch (request.kind) {
    case 'confirm':
      return confirm({ message, default: request.default }, context);
    case 'select':
      return select(
        {
          message,
          choices: request.choices.map((c) => ({ value: c.value, name: c.label, description: c.hint })),
        },
        context,
      );
    case 'type-name':
      return input(
        {
          message: `${message} Type ${request.expected} to continue:`,
          validate: (typed) => typed === request.expected || `Does not match; type exactly ${request.expected}`,
        },
        context,
      );
    case 'text':
      if (request.secret) return password({ message, mask: false }, context);
      return input({ message, default: request.default }, context);
    case 'checklist':
      return checkbox(
        {
          message,
          choices: request.items.map((item) => ({ value: item, name: item, checked: request.checked?.includes(item) })),
        },
        context,
      );
  }
}

/** Plain mode on a terminal: Inquirer draws each question; Ctrl-C or an aborted run becomes Aborted. */
export function inquirerPrompter(streams: InquirerStreams = {}): Prompter {
  return {
    async ask(request, signal) {
      try {
        return await ask(request, { ...streams, signal });
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        if (name === 'ExitPromptError' || name === 'AbortPromptError' || signal.aborted) throw new Aborted();
        throw error;
      }
    },
  };
}
