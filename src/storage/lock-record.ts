import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { BackupLocked } from '../core/errors.js';

/** What a lock file holds, so an operator (and pgdr) can tell who holds it and whether that process is gone. */
export interface LockRecord {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
}

export function newLockRecord(): LockRecord {
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
  };
}

export function parseLockRecord(data: Buffer | string): LockRecord | undefined {
  try {
    const value = JSON.parse(data.toString()) as Partial<LockRecord>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      startedAt: String(value.startedAt ?? ''),
      token: String(value.token ?? ''),
    };
  } catch {
    return undefined;
  }
}

/** Only a lock taken on this host by a process that no longer exists is provably stale. */
export function isStale(record: LockRecord): boolean {
  if (record.host !== hostname()) return false;
  if (record.pid === process.pid) return false;
  try {
    process.kill(record.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function lockedError(name: string, location: string, record: LockRecord | undefined): BackupLocked {
  if (!record) {
    return new BackupLocked(`${name} is locked (the lock ${location} exists but cannot be read).`, {
      hint: `Another pgdr run may be in progress. If none is, remove ${location} and retry.`,
    });
  }
  const since = record.startedAt ? ` since ${record.startedAt}${ago(record.startedAt)}` : '';
  return new BackupLocked(`${name} is locked by pid ${record.pid} on ${record.host}${since}.`, {
    hint: `Wait for that run to finish. If that process is gone, remove ${location} and retry.`,
  });
}

function ago(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return ' (less than a minute ago)';
  if (minutes < 120) return ` (${minutes} min ago)`;
  return ` (${Math.round(minutes / 60)} h ago)`;
}
