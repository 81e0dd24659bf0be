import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendAudit, audited, auditPath, parseSince, readAudit } from './audit-log.js';
import { Aborted, PgdrError } from '../core/errors.js';

const freshEnv = () => ({ PGDR_HOME: join(mkdtempSync(join(tmpdir(), 'pgdr-audit-')), 'state'), USER: 'alice' });

describe('audit log', () => {
  it('appends one redacted JSON line per operation, in a private file', async () => {
    const env = freshEnv();
    await appendAudit(
      {
        command: 'backup',
        target: 'postgres://app:hunter22@db/app',
        result: 'ok',
        durationMs: 1200,
        backupId: '20250116T143022Z-full-app',
      },
      env,
    );
    const lines = readFileSync(auditPath(env), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      command: 'backup',
      result: 'ok',
      backupId: '20250116T143022Z-full-app',
      target: 'postgres://app:***@db/app',
    });
    expect(entry.who).toMatch(/^alice@/);
    expect(statSync(auditPath(env)).mode & 0o777).toBe(0o600);
    expect(statSync(env.PGDR_HOME).mode & 0o777).toBe(0o700);
  });

  it('audited() records success, failure and abort, and passes the result or error through', async () => {
    const env = freshEnv();
    expect(
      await audited(
        'backup',
        async (note) => {
          note.backupId = 'b1';
          return 42;
        },
        { env, target: 'prod' },
      ),
    ).toBe(42);
    await expect(
      audited(
        'restore',
        async () => {
          throw new PgdrError('checksum mismatch');
        },
        { env },
      ),
    ).rejects.toThrow('checksum mismatch');
    await expect(
      audited(
        'run',
        async () => {
          throw new Aborted();
        },
        { env },
      ),
    ).rejects.toThrow(Aborted);
    const entries = readAudit({ env });
    expect(entries.map((e) => [e.command, e.result])).toEqual([
      ['backup', 'ok'],
      ['restore', 'failed'],
      ['run', 'aborted'],
    ]);
    expect(entries[0]).toMatchObject({ backupId: 'b1', target: 'prod' });
    expect(entries[1]!.details?.error).toBe('checksum mismatch');
  });

  it('filters by --since and survives a torn last line', async () => {
    const env = freshEnv();
    await appendAudit({ command: 'doctor', result: 'ok', durationMs: 5 }, env);
    const old = { at: '2020-01-01T00:00:00.000Z', who: 'bob@h', command: 'prune', result: 'ok', durationMs: 1 };
    writeFileSync(auditPath(env), JSON.stringify(old) + '\n' + readFileSync(auditPath(env), 'utf8'));
    appendFileSync(auditPath(env), '{"at":"2025-');
    expect(readAudit({ env }).map((e) => e.command)).toEqual(['prune', 'doctor']);
    await appendAudit({ command: 'verify', result: 'ok', durationMs: 2 }, env);
    expect(readAudit({ env }).map((e) => e.command)).toEqual(['prune', 'doctor', 'verify']);
    expect(readAudit({ env, since: parseSince('7d') }).map((e) => e.command)).toEqual(['doctor', 'verify']);
    expect(() => parseSince('yesterday')).toThrow(/--since/);
    expect(parseSince('2h', new Date('2025-01-01T12:00:00Z')).toISOString()).toBe('2025-01-01T10:00:00.000Z');
  });
});
