import { evaluate, parseExpression, references, truthy, type Expr, type Scope } from './expression.js';

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

export function renderValue(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return value.includes('${{') ? renderString(value, scope) : value;
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, scope)]));
  return value;
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
