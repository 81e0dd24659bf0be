import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { chmod, open } from 'node:fs/promises';
import { operatorName } from '../core/identity.js';
import { join } from 'node:path';
import { Aborted, UsageError, errorMessage } from '../core/errors.js';
import { redactValue } from '../core/secrets.js';
import type { Env } from '../core/env.js';
import { pgdrHome } from '../config/paths.js';

export type AuditResult = 'ok' | 'failed' | 'aborted' | 'warning';

export interface AuditRecord {
  command: string;
  /** Redacted connection URL or profile name. */
  target?: string;
  result: AuditResult;
  durationMs: number;
  backupId?: string;
  details?: Record<string, string | number | boolean>;
}

export interface AuditEntry extends AuditRecord {
  at: string;
  who: string;
}

export function auditPath(env: Env = process.env): string {
  return join(pgdrHome(env), 'audit.jsonl');
}

/** Appends one JSON line and fsyncs it: the log must survive the crash it may be needed to explain. */
export async function appendAudit(record: AuditRecord, env: Env = process.env): Promise<AuditEntry> {
  const entry: AuditEntry = redactValue({ at: new Date().toISOString(), who: operatorName(env), ...record });
  const file = auditPath(env);
  mkdirSync(pgdrHome(env), { recursive: true, mode: 0o700 });
  const handle = await open(file, 'a+', 0o600);
  try {
    // After a torn write the file may not end in a newline; start on a fresh line so this entry stays readable.
    const { size } = await handle.stat();
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    await handle.write((size > 0 && last[0] !== 0x0a ? '\n' : '') + JSON.stringify(entry) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(file, 0o600);
  return entry;
}

/** What the wrapped action can tell the audit log about itself. */
export interface AuditNote {
  target?: string;
  backupId?: string;
  details?: Record<string, string | number | boolean>;
}

/**
 * Runs `fn` and records it: ok, failed or aborted, with its duration. A failure to write the audit log is
 * reported on stderr and never replaces the command's own result.
 */
export async function audited<T>(
  command: string,
  fn: (note: AuditNote) => Promise<T>,
  options: { env?: Env; target?: string; onAuditError?: (message: string) => void } = {},
): Promise<T> {
  const note: AuditNote = { target: options.target };
  const started = performance.now();
  const write = async (result: AuditResult, error?: unknown) => {
    const details = error === undefined ? note.details : { ...note.details, error: errorMessage(error) };
    try {
      await appendAudit(
        {
          command,
          target: note.target,
          result,
          durationMs: Math.round(performance.now() - started),
          backupId: note.backupId,
          details,
        },
        options.env,
      );
    } catch (auditError) {
      (options.onAuditError ?? ((m) => process.stderr.write(`warning: ${m}\n`)))(
        `could not write the audit log ${auditPath(options.env)}: ${errorMessage(auditError)}`,
      );
    }
  };
  try {
    const value = await fn(note);
    await write('ok');
    return value;
  } catch (error) {
    await write(error instanceof Aborted ? 'aborted' : 'failed', error);
    throw error;
  }
}

/** "7d", "12h", "30m", "2w" → the moment that long ago. */
export function parseSince(text: string, now = new Date()): Date {
  const match = /^(\d+)\s*([mhdw])$/.exec(text.trim());
  if (!match) {
    const at = new Date(text);
    if (!Number.isNaN(at.getTime())) return at;
    throw new UsageError(
      `--since "${text}" is not a duration or a date.`,
      'Use 30m, 12h, 7d, 2w, or an ISO date such as 2025-01-16.',
    );
  }
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'm' | 'h' | 'd' | 'w'];
  return new Date(now.getTime() - Number(match[1]) * unit);
}

export function readAudit(options: { since?: Date; env?: Env } = {}): AuditEntry[] {
  const file = auditPath(options.env);
  if (!existsSync(file)) return [];
  const entries: AuditEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as AuditEntry;
      if (!options.since || new Date(entry.at) >= options.since) entries.push(entry);
    } catch {
      // A torn last line after a crash is skipped, not fatal.
    }
  }
  return entries;
}
