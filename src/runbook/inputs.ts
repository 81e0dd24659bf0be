import { registerSecret } from '../core/secrets.js';
import { UsageError } from '../core/errors.js';
import type { Runbook } from './schema.js';
import type { PromptAnswer, PromptRequest } from '../core/prompt.js';

export type Ask = (request: PromptRequest, options?: { secret?: boolean }) => Promise<PromptAnswer>;

/**
 * Inputs in order: given on the command line, else remembered from the journal (resume), else asked, else the
 * default. Secret inputs are registered for redaction and never remembered.
 */
export async function resolveInputs(
  runbook: Runbook,
  given: Record<string, string>,
  remembered: Record<string, unknown>,
  ask: Ask,
): Promise<Record<string, unknown>> {
  const declared = new Set((runbook.inputs ?? []).map((i) => i.name));
  for (const name of Object.keys(given)) {
    if (!declared.has(name))
      throw new UsageError(
        `The runbook ${runbook.id} has no input '${name}'.`,
        `Its inputs: ${[...declared].join(', ') || 'none'}.`,
      );
  }
  const values: Record<string, unknown> = {};
  for (const input of runbook.inputs ?? []) {
    let value: unknown =
      given[input.name] ??
      remembered[input.name] ??
      (input.secret ? process.env[`PGDR_INPUT_${input.name.toUpperCase()}`] : undefined);
    if (value === undefined && (input.required || input.secret)) {
      const message = input.prompt;
      value = input.choices
        ? await ask({
            kind: 'select',
            id: `input.${input.name}`,
            message,
            choices: input.choices.map((c) => ({ value: c, label: c })),
          })
        : await ask(
            {
              kind: 'text',
              id: `input.${input.name}`,
              message,
              default: input.default === undefined ? undefined : String(input.default),
            },
            { secret: input.secret },
          );
      if (value === '' && input.default !== undefined) value = input.default;
    }
    value ??= input.default;
    if (input.required && (value === undefined || value === '')) {
      throw new UsageError(`Input '${input.name}' is required: ${input.prompt}`, `Pass --input ${input.name}=<value>.`);
    }
    if (input.choices && value !== undefined && !input.choices.includes(String(value))) {
      throw new UsageError(
        `Input '${input.name}' must be one of ${input.choices.join(', ')}; got '${String(value)}'.`,
        `Pass --input ${input.name}=${input.choices[0]}.`,
      );
    }
    if (input.secret && typeof value === 'string') registerSecret(value);
    values[input.name] = value;
  }
  return values;
}
