/**
 * The report templates' syntax, small on purpose: {{path}} (escaped), {{{path}}} (raw), {{#each path}}…{{/each}}
 * (the item is `this`; names resolve against the item first, then outwards), {{#if path}}…{{else}}…{{/if}} and
 * {{#unless path}}…{{/unless}}.
 */
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; path: string; raw: boolean }
  | { kind: 'block'; name: 'each' | 'if' | 'unless'; path: string; body: Node[]; otherwise: Node[] };

const TAG = /\{\{\{\s*([\w.]+)\s*\}\}\}|\{\{\s*([#/]?)([\w.]+)(?:\s+([\w.]+))?\s*\}\}/g;

export class TemplateError extends Error {}

export function parseTemplate(source: string): Node[] {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { kind: 'block' }>; inElse: boolean }[] = [];
  const target = () => {
    const top = stack[stack.length - 1];
    return top ? (top.inElse ? top.node.otherwise : top.node.body) : root;
  };
  let last = 0;
  for (const m of source.matchAll(TAG)) {
    if (m.index > last) target().push({ kind: 'text', text: source.slice(last, m.index) });
    last = m.index + m[0].length;
    const [, rawPath, sigil, word, arg] = m;
    if (rawPath) target().push({ kind: 'value', path: rawPath, raw: true });
    else if (sigil === '#') {
      if (word !== 'each' && word !== 'if' && word !== 'unless') throw new TemplateError(`unknown block {{#${word}}}`);
      const node: Extract<Node, { kind: 'block' }> = {
        kind: 'block',
        name: word,
        path: arg ?? 'this',
        body: [],
        otherwise: [],
      };
      target().push(node);
      stack.push({ node, inElse: false });
    } else if (sigil === '/') {
      const top = stack.pop();
      if (!top || top.node.name !== word) throw new TemplateError(`{{/${word}}} closes nothing`);
    } else if (word === 'else' && !arg) {
      const top = stack[stack.length - 1];
      if (!top) throw new TemplateError('{{else}} outside a block');
      top.inElse = true;
    } else {
      target().push({ kind: 'value', path: word!, raw: false });
    }
  }
  if (stack.length > 0) throw new TemplateError(`{{#${stack[stack.length - 1]!.node.name}}} is not closed`);
  if (last < source.length) root.push({ kind: 'text', text: source.slice(last) });
  return root;
}

export function renderTemplate(source: string, data: unknown, escape: (text: string) => string): string {
  return renderNodes(parseTemplate(source), [data], escape);
}

function renderNodes(nodes: Node[], scopes: unknown[], escape: (text: string) => string): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'value') {
      const value = resolve(node.path, scopes);
      const text =
        value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
      out += node.raw ? text : escape(text);
    } else {
      const value = resolve(node.path, scopes);
      if (node.name === 'each') {
        const items = Array.isArray(value) ? value : [];
        out += items.length
          ? items.map((item) => renderNodes(node.body, [item, ...scopes], escape)).join('')
          : renderNodes(node.otherwise, scopes, escape);
      } else {
        const truthy = Array.isArray(value) ? value.length > 0 : Boolean(value);
        out += renderNodes(truthy === (node.name === 'if') ? node.body : node.otherwise, scopes, escape);
      }
    }
  }
  return out;
}

function resolve(path: string, scopes: unknown[]): unknown {
  if (path === 'this') return scopes[0];
  const [head, ...rest] = path.split('.');
  for (const scope of scopes) {
    if (scope !== null && typeof scope === 'object' && Object.hasOwn(scope, head!)) {
      let value: unknown = (scope as Record<string, unknown>)[head!];
      for (const key of rest)
        value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
      return value;
    }
  }
  return undefined;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Markdown table cells: no pipes or newlines. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
