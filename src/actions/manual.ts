import { z } from 'zod';
import { defineAction, type ActionContext } from './registry.js';
import { PgdrError } from '../core/errors.js';

/** The operator chose not to submit a checklist that has items unticked, and nobody is at a terminal to ask again. */
export class ChecklistIncomplete extends PgdrError {}

export const manual = defineAction({
  name: 'manual',
  describe:
    'A checklist the operator ticks; one submitted with items unticked (after "submit anyway?") is a deviation in the report.',
  with: z
    .object({
      items: z.array(z.string().min(1)).min(1),
      message: z.string().optional(),
      notes: z.boolean().optional().describe('Also ask for notes for the report'),
    })
    .strict(),
  outputs: ['checked', 'unchecked', 'items', 'notes', 'deviation'],
  restartable: true,
  questions: (stepId, a) => [
    {
      kind: 'checklist',
      id: `${stepId}.checklist`,
      message: String(a.message ?? 'Tick each item when it is done:'),
      items: Array.isArray(a.items) ? a.items.map(String) : [],
    },
    ...(a.notes
      ? [{ kind: 'text' as const, id: `${stepId}.notes`, message: 'Notes for the report (optional):', default: '' }]
      : []),
  ],
  async run(ctx, a) {
    const checked = await tick(ctx, a.items, a.message ?? 'Tick each item when it is done:');
    const unchecked = a.items.filter((item) => !checked.includes(item));
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
    return {
      items: a.items,
      checked,
      unchecked,
      notes,
      deviation: unchecked.length
        ? `Checklist submitted with ${unchecked.length} of ${a.items.length} items not ticked: ${unchecked.join('; ')}`
        : '',
    };
  },
});

/** Asks until every item is ticked or the operator says to submit it as it is; returns the ticked items. */
async function tick(ctx: ActionContext, items: string[], message: string): Promise<string[]> {
  let checked: string[] = [];
  for (;;) {
    const answer = await ctx.prompt({ kind: 'checklist', id: `${ctx.stepId}.checklist`, message, items, checked });
    checked = Array.isArray(answer) ? items.filter((item) => answer.includes(item)) : answer === true ? items : [];
    const missing = items.filter((item) => !checked.includes(item));
    if (missing.length === 0) return checked;
    const id = `${ctx.stepId}.incomplete`;
    const submit = await ctx.prompt({
      kind: 'confirm',
      id,
      message: `${missing.length} of ${items.length} not ticked — submit anyway? (the report records it as a deviation)`,
      details: missing.map((item) => `not ticked: ${item}`),
      default: false,
    });
    if (submit === true) return checked;
    // Asked again only where someone can answer differently; a script would give the same answers for ever.
    if (!ctx.services.interactive)
      throw new ChecklistIncomplete(`Not ticked: ${missing.join('; ')}.`, {
        hint: `Tick them (--answer ${ctx.stepId}.checklist=all), or submit the list as it is (--answer ${id}=yes), which the report records as a deviation.`,
      });
  }
}
