import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { UsageError, type PgdrError } from '../../src/core/errors.js';
import { parseTarget } from '../../src/pg/connection.js';
import { loadRunbookText, MAX_RUNBOOK_BYTES, RunbookInvalid } from '../../src/runbook/loader.js';
import { builtinActions } from '../../src/actions/index.js';
import { ConfigInvalid, loadConfig } from '../../src/config/load.js';
import { parseRecoveryTime } from '../../src/restore/pitr/recovery-time.js';
import { runPgdr, ROOT } from '../helpers/cli.js';

const checked = (what: string) => process.stdout.write(`  fault suite ✔ ${what}\n`);

type UsageErrorClass = abstract new (...args: never[]) => PgdrError;

/** What an operator must get for bad input: a usage error (exit 2) with a short message and a hint, never a crash. */
function expectOneScreenError(error: unknown, context: string, kind: UsageErrorClass = UsageError): void {
  expect(error instanceof kind, `${context}: ${String((error as Error)?.stack ?? error).slice(0, 400)}`).toBe(true);
  expect((error as PgdrError).exitCode, context).toBe(2);
  const text = `${(error as Error).message}\n${(error as { hint?: string }).hint ?? ''}`;
  expect(text.split('\n').length, context).toBeLessThanOrEqual(24);
  expect(text.length, context).toBeLessThan(2400);
}

function outcome(fn: () => unknown, context: string, kind: UsageErrorClass = UsageError): void {
  try {
    fn();
  } catch (error) {
    expectOneScreenError(error, context, kind);
  }
}

const valid = readFileSync(join(ROOT, 'runbooks', 'accidental-deletion.yaml'), 'utf8');
const registry = builtinActions();

describe('fault suite: bad input', () => {
  it('runbook YAML: wrong types, unknown actions, cycles, garbage and huge files are one-screen errors', () => {
    const base = parseYaml(valid) as Record<string, unknown>;
    const junk = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('id', 'title', 'rto', 'rpo', 'phases', 'inputs', 'severity', 'contacts'),
        junk,
        (key, value) => {
          const doc = { ...base, [key]: value };
          outcome(() => loadRunbookText(stringify(doc), 'fuzz.yaml', registry), `field ${key}`, RunbookInvalid);
        },
      ),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) =>
        outcome(() => loadRunbookText(text, 'garbage.yaml', registry), 'garbage', RunbookInvalid),
      ),
      { numRuns: 200 },
    );
    for (const text of ['*nope', 'id: &a [*a]', `${valid}\nx: &b {y: *b}`])
      outcome(() => loadRunbookText(text, 'alias.yaml', registry), text.slice(0, 20), RunbookInvalid);
    fc.assert(
      fc.property(fc.nat(40), fc.string({ minLength: 1, maxLength: 12 }), (cut, action) => {
        const mutated = valid
          .replace(/action: \S+/, `action: ${action.replace(/[\n:#{}[\],&*!|>'"%@`]/g, 'x') || 'x'}`)
          .slice(0, valid.length - cut);
        outcome(() => loadRunbookText(mutated, 'mutated.yaml', registry), 'mutated', RunbookInvalid);
      }),
      { numRuns: 100 },
    );
    const cycle = valid.replace('${{ steps.', '${{ steps.doesnotexist-');
    expect(() => loadRunbookText(cycle, 'cycle.yaml', registry)).toThrow(RunbookInvalid);
    expect(() => loadRunbookText(cycle, 'cycle.yaml', registry)).toThrow(
      /^cycle\.yaml is not a valid runbook:\ncycle\.yaml:\d+:\d+: phases\[\d\]\.steps\[\d\]\.with\.\w+: 'steps\.doesnotexist-\S+' refers to unknown step 'doesnotexist-\S+'$/,
    );
    const huge = 'x: ' + 'a'.repeat(MAX_RUNBOOK_BYTES + 10);
    let err: unknown;
    try {
      loadRunbookText(huge, 'huge.yaml', registry);
    } catch (e) {
      err = e;
    }
    expectOneScreenError(err, 'huge');
    checked('runbook YAML: 450 generated bad files, each a one-screen typed error');
  });

  it('config files: generated bad configs are one-screen errors with file:line, never a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgdr-badcfg-'));
    const path = join(dir, 'pgdr.config.yaml');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.constantFrom('*nope', 'targets: *x', 'a: &a [*a]', 'repository:\n  url: [1, 2'),
          fc.record({ targets: fc.anything({ maxDepth: 2 }) }).map((o) => stringify(o)),
          fc
            .record({ repository: fc.anything({ maxDepth: 2 }), retention: fc.anything({ maxDepth: 1 }) })
            .map((o) => stringify(o)),
        ),
        async (text) => {
          writeFileSync(path, text, { mode: 0o600 });
          try {
            await loadConfig({ cwd: dir, env: {} });
          } catch (error) {
            expectOneScreenError(error, `config ${JSON.stringify(text).slice(0, 80)}`, ConfigInvalid);
          }
        },
      ),
      { numRuns: 150 },
    );
    checked('config files: 150 generated bad configs, each a one-screen typed error');
  });

  it('connection strings: bad URLs are usage errors that never repeat the password', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.constantFrom('postgres://', 'postgresql://', 'mysql://', '', 'postgres://u:Sekr3tPw!@'),
        (tail, head) => {
          const url = head + tail;
          try {
            parseTarget(url, '--db');
          } catch (error) {
            expectOneScreenError(error, url);
            expect((error as Error).message).not.toContain('Sekr3tPw!');
          }
        },
      ),
      { numRuns: 300 },
    );
    checked('connection strings: 300 generated URLs, errors typed and without the password');
  });

  it('PITR timestamps: anything that is not an unambiguous time is refused clearly', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => outcome(() => parseRecoveryTime(text), text)),
      { numRuns: 300 },
    );
    expect(() => parseRecoveryTime('2025-01-10 14:00:00')).toThrow(UsageError);
    expect(() => parseRecoveryTime('2025-01-10 14:00:00')).toThrow(
      '"2025-01-10 14:00:00" has no time zone, so it is ambiguous.',
    );
    checked('PITR timestamps: 300 generated strings, ambiguous times without a zone refused');
  });

  it('CLI flags: bad commands and values exit non-zero with a short message, no stack trace, nothing written', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pgdr-badcli-'));
    const samples = fc.sample(
      fc.oneof(
        fc.constantFrom(
          ['backup', '--jobs', 'lots'],
          ['backup', 'weekly'],
          ['backup', '--format', 'tar'],
          ['backup', '--compress', 'zstd:99'],
          ['backup', '--db', 'nope'],
          ['restore'],
          ['prune', '--keep-daily', '-1'],
          ['backup', 'verify'],
          ['runbooks', 'show', 'no-such'],
          ['pitr', 'restore', '--to', 'yesterday', '--supabase-project', 'abcdefghijabcdefghij'],
          ['run', 'no-such-runbook', '--plain'],
          ['backups', 'list'],
          ['--definitely-not-a-flag'],
          ['frobnicate'],
        ),
        fc
          .array(
            fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('\0')),
            { minLength: 1, maxLength: 4 },
          )
          .map((a) => ['backup', ...a]),
      ),
      { numRuns: 14, seed: 7 },
    );
    for (const args of samples) {
      const r = await runPgdr([...args], {
        cwd,
        env: {
          DATABASE_URL: undefined,
          PGDR_REPO: undefined,
          PGHOST: undefined,
          PGDATABASE: undefined,
          PGDR_HOME: join(cwd, '.home'),
        },
      });
      const context = `pgdr ${args.join(' ')}`;
      // Bad input: the class of the error (UsageError, commander's own) decides exit 2.
      expect(r.code, `${context}\n${r.stderr}`).toBe(2);
      expect(r.stderr, context).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
      expect(r.stderr.split('\n').length, `${context}\n${r.stderr}`).toBeLessThanOrEqual(30);
      expect(
        readdirSync(cwd).filter((f) => f !== '.home'),
        context,
      ).toEqual([]);
    }
    checked(`CLI flags: ${samples.length} bad command lines, each a short error, no stack trace, nothing written`);
  });
});
