import { z } from 'zod';
import { closest, type ActionRegistry } from '../actions/registry.js';
import { ExpressionError, references } from './expression.js';
import { expressionsIn, hasTemplate, templateRefs, type TemplateContexts } from './template.js';
import { misplacedTemplate } from './template-checks.js';
import type { Runbook, RunbookStep } from './schema.js';

export interface Problem {
  path: string;
  message: string;
  /** Where in the YAML document, for line:column. */
  at?: (string | number)[];
}

export const RUN_FIELDS = ['id', 'mode', 'operator', 'startedAt'] as const;
const MANUAL_OUTPUTS = ['checked', 'notes'];

/** What zod cannot see: action names, `with` shapes, references between steps, expressions. */
export function checkRunbook(runbook: Runbook, registry: ActionRegistry): Problem[] {
  const problems: Problem[] = [];
  const inputNames = new Set<string>();
  runbook.inputs?.forEach((input, i) => {
    if (inputNames.has(input.name))
      problems.push(problem(['inputs', i, 'name'], `input '${input.name}' is declared twice`));
    inputNames.add(input.name);
  });
  const allSteps = new Map<string, RunbookStep>();
  for (const phase of runbook.phases)
    for (const step of phase.steps) if (!allSteps.has(step.id)) allSteps.set(step.id, step);
  const seenPhases = new Set<string>();
  const earlier = new Map<string, RunbookStep>();
  runbook.phases.forEach((phase, p) => {
    if (seenPhases.has(phase.id)) problems.push(problem(['phases', p, 'id'], `phase id '${phase.id}' is used twice`));
    seenPhases.add(phase.id);
    phase.steps.forEach((step, s) => {
      const base: (string | number)[] = ['phases', p, 'steps', s];
      if (earlier.has(step.id)) problems.push(problem([...base, 'id'], `step id '${step.id}' is used twice`));
      const refs = { inputs: inputNames, earlier, all: allSteps, registry, self: step.id };
      if (step.action) checkCall(step.action, step.with, [...base], 'action', refs, problems, false);
      if (step.undo) checkCall(step.undo.action, step.undo.with, [...base, 'undo'], 'action', refs, problems, true);
      if (step.when) checkExpression(step.when, [...base, 'when'], refs, problems, true, false);
      earlier.set(step.id, step);
    });
  });
  return problems;
}

interface Refs {
  inputs: Set<string>;
  earlier: Map<string, RunbookStep>;
  all: Map<string, RunbookStep>;
  registry: ActionRegistry;
  self: string;
}

function checkCall(
  name: string,
  args: Record<string, unknown> | undefined,
  base: (string | number)[],
  key: string,
  refs: Refs,
  problems: Problem[],
  isUndo: boolean,
): void {
  if (!refs.registry.has(name)) {
    const guess = closest(name, refs.registry.names());
    problems.push(problem([...base, key], `unknown action '${name}'${guess ? ` (did you mean ${guess}?)` : ''}`));
    return;
  }
  const { with: schema, templates: contexts = {} } = refs.registry.get(name);
  const values = args ?? {};
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodType>;
    for (const [field, value] of Object.entries(values)) {
      const fieldSchema = shape[field];
      const at = [...base, 'with', field];
      if (!fieldSchema) {
        const guess = closest(field, Object.keys(shape));
        problems.push(
          problem(
            at,
            `${name} has no argument '${field}'${guess ? ` (did you mean ${guess}?)` : ''}; it takes: ${Object.keys(shape).join(', ') || 'nothing'}`,
          ),
        );
        continue;
      }
      if (hasTemplate(value)) {
        checkTemplates(value, at, refs, problems, isUndo, { contexts, field, action: name });
        continue;
      }
      const result = fieldSchema.safeParse(value);
      if (!result.success) problems.push(problem(at, `${name}: ${result.error.issues[0]?.message ?? 'invalid value'}`));
    }
    for (const [field, fieldSchema] of Object.entries(shape)) {
      if (!(field in values) && !fieldSchema.safeParse(undefined).success)
        problems.push(problem([...base, args ? 'with' : key], `${name} needs 'with.${field}'`));
    }
  } else if (!hasTemplate(values)) {
    const result = schema.safeParse(values);
    if (!result.success)
      problems.push(problem([...base, 'with'], `${name}: ${result.error.issues[0]?.message ?? 'invalid arguments'}`));
  } else {
    checkTemplates(values, [...base, 'with'], refs, problems, isUndo, { contexts, field: '', action: name });
  }
}

interface Typed {
  contexts: TemplateContexts;
  /** Dotted path inside `with`, as ActionDefinition.templates names fields. */
  field: string;
  action: string;
}

function checkTemplates(
  value: unknown,
  at: (string | number)[],
  refs: Refs,
  problems: Problem[],
  isUndo: boolean,
  typed: Typed,
): void {
  const inner = (k: string) => ({ ...typed, field: typed.field ? `${typed.field}.${k}` : k });
  if (typeof value === 'string') {
    const problem = misplacedTemplate(value, typed);
    if (problem) problems.push({ path: formatPath(at), message: problem, at });
    else checkExpression(value, at, refs, problems, false, isUndo);
  } else if (Array.isArray(value))
    value.forEach((v, i) => checkTemplates(v, [...at, i], refs, problems, isUndo, typed));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) checkTemplates(v, [...at, k], refs, problems, isUndo, inner(k));
}

function checkExpression(
  text: string,
  at: (string | number)[],
  refs: Refs,
  problems: Problem[],
  bare: boolean,
  isUndo: boolean,
): void {
  let parsed;
  try {
    parsed = expressionsIn(text, bare);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    problems.push(problem(at, `bad expression "${text}": ${error.message}`));
    return;
  }
  for (const { expr } of parsed)
    for (const path of references(expr)) {
      const message = checkReference(path, refs, isUndo);
      if (message) problems.push(problem(at, message));
    }
}

function checkReference(path: string[], refs: Refs, isUndo: boolean): string | undefined {
  const [root, name, kind, output] = path;
  const shown = path.join('.');
  if (root === 'inputs') {
    if (name && refs.inputs.has(name)) return undefined;
    const guess = name ? closest(name, [...refs.inputs]) : undefined;
    return `'${shown}' refers to an undeclared input${guess ? ` (did you mean inputs.${guess}?)` : ''}; declare it under inputs:`;
  }
  if (root === 'run') {
    return name && (RUN_FIELDS as readonly string[]).includes(name)
      ? undefined
      : `'${shown}': run has ${RUN_FIELDS.map((f) => `run.${f}`).join(', ')}`;
  }
  if (root !== 'steps')
    return `'${shown}' is not a known reference (use inputs.<name>, steps.<id>.outputs.<name>, steps.<id>.status or run.mode)`;
  if (!name) return `'${shown}' needs a step id`;
  const usableSelf = isUndo && name === refs.self;
  const step = refs.earlier.get(name) ?? (usableSelf ? refs.all.get(name) : undefined);
  if (!step) {
    if (refs.all.has(name))
      return `'${shown}' refers to step '${name}', which runs ${name === refs.self ? 'in this very step' : 'later'}; a step can only use earlier steps' outputs`;
    const guess = closest(name, [...refs.earlier.keys()]);
    return `'${shown}' refers to unknown step '${name}'${guess ? ` (did you mean ${guess}?)` : ''}`;
  }
  if (kind === 'status' && path.length === 3) return undefined;
  if (kind !== 'outputs' || !output) return `'${shown}': use steps.${name}.outputs.<name> or steps.${name}.status`;
  const declared = step.manual
    ? MANUAL_OUTPUTS
    : refs.registry.has(step.action!)
      ? refs.registry.get(step.action!).outputs
      : undefined;
  if (declared && !declared.includes(output)) {
    const guess = closest(output, declared);
    return `'${shown}': step '${name}' (${step.action ?? 'manual'}) has no output '${output}'${guess ? ` (did you mean ${guess}?)` : ''}; it has: ${declared.join(', ') || 'none'}`;
  }
  return undefined;
}

/**
 * The outputs of a step that the steps after it (and its own undo) read, as `steps.<id>.outputs.<name>`: what would
 * render empty if the step were taken as done without pgdr seeing its outputs.
 */
export function outputsUsedLater(runbook: Runbook, stepId: string): string[] {
  const steps = runbook.phases.flatMap((p) => p.steps);
  const at = steps.findIndex((s) => s.id === stepId);
  const readers = [steps[at]?.undo?.with, ...steps.slice(at + 1).flatMap((s) => [s.with, s.undo?.with])];
  const paths = [
    ...templateRefs(readers).map((ref) => ref.path),
    ...steps
      .slice(at + 1)
      .flatMap((s) => (s.when ? expressionsIn(s.when, true) : []))
      .flatMap(({ expr }) => references(expr)),
  ];
  const used = paths.filter(
    ([root, id, kind, name]) => root === 'steps' && id === stepId && kind === 'outputs' && name,
  );
  return [...new Set(used.map((path) => path.slice(0, 4).join('.')))];
}

function problem(at: (string | number)[], message: string): Problem {
  return { path: formatPath(at), message, at };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
