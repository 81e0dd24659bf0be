import { UsageError } from '../core/errors.js';
import type { TemplateContext } from '../actions/registry.js';
import { evaluate, parseExpression, references, truthy, type Expr, type Scope } from './expression.js';
import { scanSqlTemplates } from './sql-template.js';

/** A `${{ }}` where the field cannot take one: the runbook is refused as written. Exit 2. */
export class TemplateRefused extends UsageError {}

/** Where a field's templates are typed: dotted paths inside `with` → context (ActionDefinition.templates). */
export type TemplateContexts = Readonly<Record<string, TemplateContext>>;

/** A query whose templates became bind parameters. */
export interface BoundSql {
  text: string;
  values: unknown[];
}

/** `${{ expr }}` inside a string. A string that is exactly one template keeps the value's type. */
const TEMPLATE = /\$\{\{([\s\S]*?)\}\}/g;
const WHOLE = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/;

export interface TemplateRef {
  path: string[];
  /** The `${{ … }}` source, for messages. */
  source: string;
}

export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${{');
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}

/** Every expression in a string (or the bare expression of a `when:`), parsed; throws ExpressionError. */
export function expressionsIn(text: string, bare = false): { expr: Expr; source: string }[] {
  if (bare && !text.includes('${{')) return [{ expr: parseExpression(text), source: text }];
  return [...text.matchAll(TEMPLATE)].map((m) => ({ expr: parseExpression(m[1]!), source: m[0] }));
}

export function templateRefs(value: unknown): TemplateRef[] {
  if (typeof value === 'string')
    return expressionsIn(value).flatMap(({ expr, source }) => references(expr).map((path) => ({ path, source })));
  if (Array.isArray(value)) return value.flatMap(templateRefs);
  if (value && typeof value === 'object') return Object.values(value).flatMap(templateRefs);
  return [];
}

export function renderString(text: string, scope: Scope): unknown {
  const whole = WHOLE.exec(text);
  if (whole && !whole[1]!.includes('}}')) return evaluate(parseExpression(whole[1]!), scope);
  return text.replace(TEMPLATE, (_m, source: string) => stringify(evaluate(parseExpression(source), scope)));
}

/** Renders every template in `value`, each as its field's context says (text unless `contexts` names the field). */
export function renderValue(value: unknown, scope: Scope, contexts: TemplateContexts = {}, path = ''): unknown {
  if (typeof value === 'string')
    return value.includes('${{') ? renderIn(contexts[path] ?? 'text', value, scope, path) : value;
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope, contexts, path));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, renderValue(v, scope, contexts, path ? `${path}.${k}` : k)]),
    );
  return value;
}

function renderIn(context: TemplateContext, text: string, scope: Scope, field: string): unknown {
  const value = (source: string) => evaluate(parseExpression(source), scope);
  switch (context) {
    case 'environment':
      throw new TemplateRefused(`with.${field} cannot contain \${{ }}.`, {
        hint: '`pgdr runbooks validate <file>` says how to pass the value instead.',
      });
    case 'whole':
      if (!WHOLE.exec(text))
        throw new TemplateRefused(`with.${field} cannot have \${{ }} inside its text.`, {
          hint: '`pgdr runbooks validate <file>` says how to pass the value instead.',
        });
      return renderString(text, scope);
    case 'sql': {
      const scan = scanSqlTemplates(text);
      if (scan.quoted)
        throw new TemplateRefused(`with.${field}: ${scan.quoted} is inside quotes or a comment.`, {
          hint: 'Write it without quotes: its value is passed as a bind parameter.',
        });
      return { text: scan.text, values: scan.sources.map((source) => sqlValue(value(source))) } satisfies BoundSql;
    }
    case 'url':
      if (WHOLE.exec(text)) return renderString(text, scope);
      return text.replace(TEMPLATE, (_m, source: string) => encodeURIComponent(stringify(value(source))));
    case 'operator': {
      const foreign = expressionsIn(text)
        .flatMap(({ expr }) => references(expr))
        .find((path) => path[0] !== 'inputs' && path[0] !== 'run');
      if (foreign)
        throw new TemplateRefused(`with.${field} may only use the operator's inputs, not ${foreign.join('.')}.`);
      return renderString(text, scope);
    }
    default:
      return renderString(text, scope);
  }
}

/** pg sends strings, numbers and booleans as text; anything else as its JSON. */
function sqlValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return typeof value === 'object' ? JSON.stringify(value) : value;
}

/** A `when:` is either `${{ expr }}` or a bare expression. */
export function evaluateCondition(when: string, scope: Scope): boolean {
  const whole = WHOLE.exec(when);
  return truthy(evaluate(parseExpression(whole ? whole[1]! : when), scope));
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
