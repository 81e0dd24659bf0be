/**
 * A 5-field cron expression as cron itself reads it. One bad line makes cron skip the whole /etc/cron.d file, so
 * every pgdr job (doctor included) would silently stop: a schedule is checked before it is written anywhere.
 */
const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** What is wrong with the expression, or undefined when cron accepts it. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5)
    return `it is not a 5-field expression (minute hour day-of-month month day-of-week), it has ${fields.length}`;
  for (const [i, text] of fields.entries()) {
    const field = FIELDS[i]!;
    for (const item of text.split(',')) {
      const problem = itemProblem(item, field);
      if (problem) return `${field.name} "${text}": ${problem}`;
    }
  }
  return undefined;
}

function itemProblem(item: string, field: (typeof FIELDS)[number]): string | undefined {
  const m = /^(\*|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:\/(\d+))?$/i.exec(item);
  if (!m) return `"${item}" is not a number, a range, * or a step`;
  const [, all, from, to, step] = m;
  if (step !== undefined && Number(step) < 1) return 'a step must be 1 or more';
  if (all === '*') return undefined;
  const a = value(from!, field);
  const b = to === undefined ? a : value(to, field);
  if (a === undefined || b === undefined)
    return `"${item}" is outside ${field.min}-${field.max}${field.names ? ' (or a name such as ' + field.names[1] + ')' : ''}`;
  if (a > b) return `the range "${item}" runs backwards`;
  return undefined;
}

function value(text: string, field: (typeof FIELDS)[number]): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (field.min === 1 ? 1 : 0);
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}
