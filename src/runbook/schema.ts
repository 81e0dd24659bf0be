import { z } from 'zod';
import { DURATION_PATTERN } from '../core/duration.js';

/** The runbook file format. `z.toJSONSchema(runbookSchema)` is what editors get (runbooks/runbook.schema.json). */
const slug = z.string().regex(/^[a-z0-9][a-z0-9-_]*$/, 'use lowercase letters, digits, "-" and "_" (e.g. restore-db)');

const duration = z
  .string()
  .regex(DURATION_PATTERN, 'is not a duration (use e.g. 4h, 30m, 1h30m, 90s)')
  .describe('A duration: 4h, 30m, 1h30m, 90s, 500ms');

const withValues = z
  .record(z.string(), z.unknown())
  .describe(
    'Arguments of the action; values may contain ${{ inputs.x }}, ${{ steps.id.outputs.name }}, ${{ run.mode }} (a shell command never: it reads them as $PGDR_INPUT_X, $PGDR_OUT_ID_NAME; in sql.check they are bind parameters)',
  );

export const undoSchema = z
  .object({
    action: z.string().min(1).describe('Action to run if the run is aborted after this step'),
    with: withValues.optional(),
  })
  .strict();

export const stepSchema = z
  .object({
    id: slug,
    title: z.string().min(1),
    action: z.string().min(1).optional().describe('Name of the action to run, e.g. pg.ping'),
    with: withValues.optional(),
    manual: z.array(z.string().min(1)).min(1).optional().describe('Checklist items the operator ticks'),
    description: z.string().optional(),
    timeout: duration.optional(),
    retries: z.number().int().min(0).max(100).optional(),
    retryDelay: duration.optional(),
    continueOnError: z.boolean().optional(),
    when: z
      .string()
      .min(1)
      .optional()
      .describe('Expression: ==, !=, &&, ||, !, literals, references (inputs.x, steps.id.outputs.y, run.mode)'),
    undo: undoSchema.optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    if (step.action && step.manual)
      ctx.addIssue({ code: 'custom', path: ['manual'], message: 'a step has either `action` or `manual`, not both' });
    if (!step.action && !step.manual)
      ctx.addIssue({
        code: 'custom',
        path: ['action'],
        message: 'a step needs `action` (with `with`) or `manual` (a checklist)',
      });
    if (step.with && !step.action)
      ctx.addIssue({ code: 'custom', path: ['with'], message: '`with` needs an `action`' });
  });

export const phaseSchema = z
  .object({
    id: slug,
    title: z.string().min(1),
    rto: duration.optional().describe("This phase's share of the RTO; the drill record compares it with what it took"),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

export const inputSchema = z
  .object({
    name: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'use lowercase letters, digits and "_" (e.g. disaster_time)'),
    prompt: z.string().min(1),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    required: z.boolean().optional(),
    secret: z.boolean().optional().describe('Never journaled or reported; asked again on resume'),
    choices: z.array(z.string()).min(1).optional(),
  })
  .strict();

export const contactSchema = z
  .object({
    name: z.string().min(1),
    role: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    url: z.string().optional(),
  })
  .strict();

export const escalationSchema = z
  .object({
    after: duration.describe('Escalate when the run has taken this long'),
    contact: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();

export const runbookSchema = z
  .object({
    $schema: z.string().optional(),
    id: slug,
    title: z.string().min(1),
    description: z.string().optional().describe('Markdown'),
    severity: z.enum(['critical', 'high', 'medium', 'low']),
    rto: duration.describe('Recovery time objective'),
    rpo: duration.describe('Recovery point objective'),
    contacts: z.array(contactSchema).optional(),
    escalation: z.array(escalationSchema).optional(),
    inputs: z.array(inputSchema).optional(),
    phases: z.array(phaseSchema).min(1),
  })
  .strict();

export type Runbook = z.infer<typeof runbookSchema>;
export type RunbookPhase = z.infer<typeof phaseSchema>;
export type RunbookStep = z.infer<typeof stepSchema>;
export type RunbookInput = z.infer<typeof inputSchema>;

export function runbookJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(runbookSchema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}
