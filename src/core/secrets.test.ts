import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { redact, redactedJson, registerSecret } from './secrets.js';

/** Text made of the pieces that broke redaction on serialised JSON: quotes, backslashes, braces, password=. */
const tricky = fc
  .array(fc.oneof(fc.string(), fc.constantFrom('"', '\\', '}', ']', ' ', '=', 'password=', 'password = ', "'", '\n')))
  .map((parts) => parts.join(''));
const secret = fc
  .array(fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('"', '\\', '\\"', '\u2028', 'é')), { minLength: 1 })
  .map((parts) => parts.join(''))
  .filter((text) => text.length >= 4);

/** Every string in a parsed JSON value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

describe('redactedJson', () => {
  it('always gives valid JSON in which no registered secret survives, whatever the text around it', () => {
    fc.assert(
      fc.property(secret, tricky, tricky, fc.jsonValue(), (s, before, after, other) => {
        registerSecret(s);
        const value = {
          type: 'log',
          message: `${before}${s}${after}`,
          nested: [other, { [s]: `${s}${s}`, line: `${before}password=${s}` }],
        };
        const parsed: unknown = JSON.parse(redactedJson(value));
        for (const text of strings(parsed)) expect(text).not.toContain(s);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the shape of the value: a log line with password= is still one string, numbers stay numbers', () => {
    fc.assert(
      fc.property(tricky, fc.integer(), (line, at) => {
        const parsed = JSON.parse(redactedJson({ type: 'log', at, message: `${line} password=abc` })) as {
          at: number;
          message: string;
        };
        expect(parsed.at).toBe(at);
        expect(parsed.message).not.toContain('abc');
      }),
    );
  });

  it('masks a secret with a quote and a backslash in the text, where the JSON escapes it', () => {
    registerSecret('q"uo\\te-secret');
    const text = redactedJson({ a: 'x q"uo\\te-secret y', b: ['q"uo\\te-secret'] }, 2);
    expect(text).not.toContain('uo\\\\te-secret');
    expect(JSON.parse(text)).toEqual({ a: 'x *** y', b: ['***'] });
  });

  it('leaves nothing behind when masking one secret completes another', () => {
    registerSecret('ab**');
    expect(redact('abab**')).not.toContain('ab**');
  });
});
