import { UsageError } from '../core/errors.js';
import type { PromptAnswer, PromptRequest, Prompter } from '../core/prompt.js';

/** A question nobody can answer: no terminal, and neither --answer nor --yes covers it. */
export class PromptUnanswered extends UsageError {}

export interface ScriptedAnswers {
  /** From --answer <promptId>=<value>. */
  answers?: Record<string, string>;
  /** --yes: takes every default (a No stays No), confirms the rest and ticks checklists; never types a name back. */
  yes?: boolean;
}

const TRUE = new Set(['y', 'yes', 'true', '1', 'on']);
const FALSE = new Set(['n', 'no', 'false', '0', 'off']);

/** What `--answer <id>=…` takes for this question, as the operator would type it. */
export function answerFormat(request: PromptRequest): string {
  const word = (text: string) => (/[\s"'`$\\|&;<>()]/.test(text) ? `"${text.replace(/(["\\$`])/g, '\\$1')}"` : text);
  switch (request.kind) {
    case 'confirm':
      return `${request.id}=yes|no`;
    case 'select':
      return `${request.id}=${request.choices.map((c) => c.value).join('|')}`;
    case 'type-name':
      return `${request.id}=${request.expected}`;
    case 'text':
      return `${request.id}=<text>`;
    case 'checklist':
      return `${request.id}=all (or some: ${word(`${request.id}=${request.items.slice(0, 2).join(',')}`)})`;
  }
}

function invalid(request: PromptRequest, value: string): PromptUnanswered {
  return new PromptUnanswered(`--answer ${request.id}=${value} is not a valid answer to "${request.message}".`, {
    hint: `Pass --answer ${answerFormat(request)}.`,
  });
}

function fromString(request: PromptRequest, value: string): PromptAnswer {
  switch (request.kind) {
    case 'confirm': {
      const v = value.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      throw invalid(request, value);
    }
    case 'select': {
      const choice = request.choices.find((c) => c.value === value) ?? request.choices.find((c) => c.label === value);
      if (!choice) throw invalid(request, value);
      return choice.value;
    }
    case 'type-name':
      if (value !== request.expected) {
        throw new PromptUnanswered(
          `--answer ${request.id}=${value} does not match the name to type back for "${request.message}".`,
          {
            hint: `Pass --answer ${request.id}=${request.expected} exactly (or --confirm ${request.expected}) if you mean it.`,
          },
        );
      }
      return value;
    case 'text':
      return value;
    case 'checklist': {
      if (value.trim().toLowerCase() === 'all') return [...request.items];
      const picked = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = picked.filter((p) => !request.items.includes(p));
      if (unknown.length > 0) throw invalid(request, value);
      return picked;
    }
  }
}

function byDefault(request: PromptRequest): PromptAnswer | undefined {
  switch (request.kind) {
    case 'confirm':
      // A question whose default is No (undo onto a half-restored database) keeps it: --yes takes defaults.
      return request.default ?? true;
    case 'select':
      return request.choices[0]?.value;
    case 'text':
      return request.default;
    case 'checklist':
      return [...request.items];
    case 'type-name':
      return undefined;
  }
}

function unanswered(request: PromptRequest): PromptUnanswered {
  if (request.kind === 'type-name') {
    return new PromptUnanswered(
      `"${request.message}" (prompt ${request.id}) needs the name typed back, and there is no terminal to type it in.`,
      {
        hint: `Pass --answer ${request.id}=${request.expected} (or --confirm ${request.expected}); --yes never confirms a destructive step.`,
      },
    );
  }
  if (request.kind === 'text' && request.secret)
    return new PromptUnanswered(
      `"${request.message}" (prompt ${request.id}) needs a secret and there is no terminal to ask in.`,
      {
        hint: 'Set it in the environment and run again (a password: PGPASSWORD or ~/.pgpass), or give the target again (--db …); --answer would put it where ps shows it.',
      },
    );
  return new PromptUnanswered(
    `"${request.message}" (prompt ${request.id}) needs an answer and there is no terminal to ask in.`,
    {
      hint: `Pass --answer ${answerFormat(request)}${byDefault(request) === undefined ? '' : ', or --yes to accept the defaults'}.`,
    },
  );
}

/** Answers from --answer key=value and --yes, for CI and tests; a missing answer is an error naming the flag. */
export function scriptedPrompter(options: ScriptedAnswers = {}): Prompter {
  const answers = options.answers ?? {};
  return {
    canAnswer: (request) =>
      answers[request.id] !== undefined || (Boolean(options.yes) && byDefault(request) !== undefined),
    async ask(request) {
      const given = answers[request.id];
      if (given !== undefined) return fromString(request, given);
      const fallback = options.yes ? byDefault(request) : undefined;
      if (fallback === undefined) throw unanswered(request);
      return fallback;
    },
  };
}
