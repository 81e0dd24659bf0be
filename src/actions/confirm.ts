import { z } from 'zod';
import { defineAction } from './registry.js';
import { PgdrError } from '../core/errors.js';

export const confirm = defineAction({
  name: 'confirm',
  describe:
    'Ask the operator to confirm before going on; with `typeName`, the name must be typed back (destructive steps).',
  with: z
    .object({
      message: z.string().min(1),
      typeName: z.string().min(1).optional().describe('The operator must type this exactly (e.g. the database name)'),
      default: z.boolean().optional(),
    })
    .strict(),
  outputs: ['confirmed'],
  restartable: true,
  questions: (stepId, a) => [
    typeof a.typeName === 'string'
      ? { kind: 'type-name', id: `${stepId}.confirm`, message: String(a.message), expected: a.typeName }
      : {
          kind: 'confirm',
          id: `${stepId}.confirm`,
          message: String(a.message),
          default: typeof a.default === 'boolean' ? a.default : undefined,
        },
  ],
  async run(ctx, a) {
    const id = `${ctx.stepId}.confirm`;
    if (a.typeName) {
      const typed = await ctx.prompt({ kind: 'type-name', id, message: a.message, expected: a.typeName });
      if (typed !== a.typeName)
        throw new PgdrError(`"${String(typed)}" does not match "${a.typeName}"; not going on.`, {
          hint: `Type ${a.typeName} exactly, or pass --answer ${id}=${a.typeName}.`,
        });
      return { confirmed: true };
    }
    const answer = await ctx.prompt({ kind: 'confirm', id, message: a.message, default: a.default });
    if (answer !== true)
      throw new PgdrError('The operator did not confirm.', {
        hint:
          ctx.services.resumable === false
            ? 'Start the drill again when ready.'
            : `Continue when ready: pgdr run --resume ${ctx.runId}`,
      });
    return { confirmed: true };
  },
});
