/**
 * The tiny expression language of `when:` and `${{ … }}`: literals, dotted references, ==, !=, &&, ||, ! and
 * parentheses. Parsed by hand and evaluated over plain data, so a runbook can never run code.
 */
export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'ref'; path: string[] }
  | { kind: 'not'; operand: Expr }
  | { kind: 'binary'; op: '==' | '!=' | '&&' | '||'; left: Expr; right: Expr };

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token = { type: 'op' | 'str' | 'num' | 'ident' | 'end'; text: string; value?: string | number; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      tokens.push({ type: 'op', text: two, at: i });
      i += 2;
    } else if (ch === '!' || ch === '(' || ch === ')') {
      tokens.push({ type: 'op', text: ch, at: i });
      i++;
    } else if (ch === "'" || ch === '"') {
      const end = source.indexOf(ch, i + 1);
      if (end < 0) throw new ExpressionError('unterminated string', i);
      tokens.push({ type: 'str', text: source.slice(i, end + 1), value: source.slice(i + 1, end), at: i });
      i = end + 1;
    } else if (/[0-9-]/.test(ch)) {
      const m = /^-?\d+(\.\d+)?/.exec(source.slice(i));
      if (!m) throw new ExpressionError(`unexpected "${ch}"`, i);
      tokens.push({ type: 'num', text: m[0], value: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\.\d+)*/.exec(source.slice(i))!;
      tokens.push({ type: 'ident', text: m[0], at: i });
      i += m[0].length;
    } else {
      throw new ExpressionError(
        `unexpected "${ch}" (allowed: literals, references, ==, !=, &&, ||, !, parentheses)`,
        i,
      );
    }
  }
  tokens.push({ type: 'end', text: '', at: source.length });
  return tokens;
}

export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const binary = (ops: string[], operand: () => Expr) => (): Expr => {
    let left = operand();
    while (peek().type === 'op' && ops.includes(peek().text)) {
      const op = next().text as '==' | '!=' | '&&' | '||';
      left = { kind: 'binary', op, left, right: operand() };
    }
    return left;
  };
  const primary = (): Expr => {
    const token = next();
    if (token.type === 'op' && token.text === '!') return { kind: 'not', operand: primary() };
    if (token.type === 'op' && token.text === '(') {
      const inner = or();
      const close = next();
      if (close.text !== ')') throw new ExpressionError('expected ")"', close.at);
      return inner;
    }
    if (token.type === 'str' || token.type === 'num') return { kind: 'literal', value: token.value! };
    if (token.type === 'ident') {
      if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true' };
      if (token.text === 'null') return { kind: 'literal', value: null };
      return { kind: 'ref', path: token.text.split('.') };
    }
    throw new ExpressionError(
      token.type === 'end' ? 'expression ends too early' : `unexpected "${token.text}"`,
      token.at,
    );
  };
  const equality = binary(['==', '!='], primary);
  const and = binary(['&&'], equality);
  const or = binary(['||'], and);
  const expr = or();
  if (peek().type !== 'end') throw new ExpressionError(`unexpected "${peek().text}"`, peek().at);
  return expr;
}

export function references(expr: Expr): string[][] {
  switch (expr.kind) {
    case 'literal':
      return [];
    case 'ref':
      return [expr.path];
    case 'not':
      return references(expr.operand);
    case 'binary':
      return [...references(expr.left), ...references(expr.right)];
  }
}

export type Scope = Record<string, unknown>;

export function lookup(scope: Scope, path: string[]): unknown {
  let value: unknown = scope;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function evaluate(expr: Expr, scope: Scope): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'ref':
      return lookup(scope, expr.path);
    case 'not':
      return !truthy(evaluate(expr.operand, scope));
    case 'binary': {
      if (expr.op === '&&') return truthy(evaluate(expr.left, scope)) && truthy(evaluate(expr.right, scope));
      if (expr.op === '||') return truthy(evaluate(expr.left, scope)) || truthy(evaluate(expr.right, scope));
      const equal = looseEqual(evaluate(expr.left, scope), evaluate(expr.right, scope));
      return expr.op === '==' ? equal : !equal;
    }
  }
}

export function truthy(value: unknown): boolean {
  if (typeof value === 'string') return value !== '' && value !== 'false' && value !== '0';
  return Boolean(value);
}

// Inputs arrive as strings from the command line, so "3" == 3 and "true" == true.
function looseEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return (a ?? null) === (b ?? null);
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a) === String(b);
}
