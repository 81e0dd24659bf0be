import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';

export const ANONYMIZERS = ['hash', 'mask', 'email', 'null'] as const;
export type Anonymizer = (typeof ANONYMIZERS)[number];
export type AnonymizeRules = Record<string, Anonymizer>;

/** ["email=email", "name=mask"] → { email: 'email', name: 'mask' }. */
export function parseAnonymize(specs: string[]): AnonymizeRules {
  const rules: AnonymizeRules = {};
  for (const spec of specs) {
    const match = /^([^=]+)=(\w+)$/.exec(spec.trim());
    if (!match || !(ANONYMIZERS as readonly string[]).includes(match[2]!)) {
      throw new UsageError(
        `--anonymize "${spec}" is not column=method.`,
        `Methods: ${ANONYMIZERS.join(', ')}; e.g. --anonymize email=email --anonymize full_name=mask.`,
      );
    }
    rules[match[1]!] = match[2] as Anonymizer;
  }
  return rules;
}

export function checkAnonymizeColumns(rules: AnonymizeRules, columns: string[], table: string): void {
  const unknown = Object.keys(rules).filter((c) => !columns.includes(c));
  if (unknown.length) {
    throw new UsageError(
      `--anonymize names ${unknown.join(', ')}, which ${unknown.length > 1 ? 'are not columns' : 'is not a column'} of ${table}.`,
      `Columns: ${columns.join(', ')}.`,
    );
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Same input, same output: anonymized keys still join across tables. */
export function anonymize(value: string | null, method: Anonymizer): string | null {
  if (value === null || method === 'null') return null;
  if (method === 'hash') return digest(value).slice(0, 16);
  if (method === 'email') return `user-${digest(value).slice(0, 10)}@example.invalid`;
  const chars = [...value];
  if (chars.length <= 2) return '*'.repeat(chars.length);
  return chars[0] + '*'.repeat(chars.length - 2) + chars.at(-1);
}
