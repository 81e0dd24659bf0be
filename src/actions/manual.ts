import { z } from 'zod';
import { defineAction } from './registry.js';
import { PgdrError } from '../core/errors.js';

export const manual = defineAction({
  name: 'manual',
  describe: 'A checklist the operator ticks; every item must be ticked for the step to pass.',
  with: z
    .object({
      items: z.array(z.string().min(1)).min(1),
      message: z.string().optional(),
      notes: z.boolean().optional().describe('Also ask for notes for the report'),
    })
    .strict(),
  outputs: ['checked', 'notes'],
  restartable: true,
  async run(ctx, a) {
    const answer = await ctx.prompt({
      kind: 'checklist',
      id: `${ctx.stepId}.checklist`,
      message: a.message ?? 'Tick each item when it is done:',
      items: a.items,
    });
    const checked = Array.isArray(answer) ? answer : answer === true ? a.items : [];
    const missing = a.items.filter((item) => !checked.includes(item));
    if (missing.length > 0) {
      throw new PgdrError(`Not done yet: ${missing.join('; ')}.`, {
        hint: 'Finish those items, then resume the run (pgdr run --resume <run-id>).',
      });
    }
    let notes = '';
    if (a.notes) {
      const text = await ctx.prompt({
        kind: 'text',
        id: `${ctx.stepId}.notes`,
        message: 'Notes for the report (optional):',
        default: '',
      });
      notes = typeof text === 'string' ? text : '';
    }
    return { checked, notes };
  },
});
