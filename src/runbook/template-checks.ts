import { variableFor } from '../actions/hook-env.js';
import { ExpressionError, references } from './expression.js';
import { scanSqlTemplates } from './sql-template.js';
import { expressionsIn, type TemplateContexts } from './template.js';

/**
 * When the runbook loads: a `${{ }}` where its field's context does not take it, as a message that says what to
 * write instead (the migration for runbooks written before values stopped being spliced into commands).
 */
export function misplacedTemplate(
  text: string,
  typed: { contexts: TemplateContexts; field: string; action: string },
): string | undefined {
  const context = typed.contexts[typed.field] ?? 'text';
  let found;
  try {
    found = expressionsIn(text);
  } catch (error) {
    if (error instanceof ExpressionError) return undefined; // reported as a bad expression
    throw error;
  }
  switch (context) {
    case 'environment': {
      const ways = found.map(({ expr, source }) => {
        const refs = references(expr);
        const variable = expr.kind === 'ref' && refs.length === 1 ? variableFor(refs[0]!) : undefined;
        return variable ? `"$${variable}" for ${source}` : `with.env: { VALUE: "${source}" } and "$VALUE"`;
      });
      return `${typed.action}: with.${typed.field} never contains \${{ }}, since a value from a database or a backup would run as part of the command; the values are in its environment: write ${ways.join(', ')}`;
    }
    case 'whole':
      return /^\s*\$\{\{[\s\S]*?\}\}\s*$/.test(text) && found.length === 1
        ? undefined
        : `${typed.action}: with.${typed.field} takes \${{ }} only as its whole value, never inside text; give it as a mapping (each value is encoded) or as one \${{ }}`;
    case 'sql': {
      const quoted = scanSqlTemplates(text).quoted;
      return quoted
        ? `${typed.action}: ${quoted} in with.${typed.field} is inside quotes or a comment; write it bare (e.g. where name = ${quoted}): its value is passed as a bind parameter, never as SQL`
        : undefined;
    }
    case 'operator': {
      const foreign = found
        .flatMap(({ expr }) => references(expr))
        .find((path) => path[0] !== 'inputs' && path[0] !== 'run');
      return foreign
        ? `${typed.action}: with.${typed.field} is code (SQL), so it may only use the operator's inputs (inputs.*), not ${foreign.join('.')}`
        : undefined;
    }
    default:
      return undefined;
  }
}
