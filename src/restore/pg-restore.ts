import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { OperationContext } from '../core/context.js';
import { PgdrError } from '../core/errors.js';
import { startProcess, type RunningProcess } from '../core/system.js';
import { libpqEnv, type DbTarget } from '../pg/connection.js';
import type { ArchiveSource } from './archive-source.js';

/**
 * Settings for pg_restore's own sessions, all user-settable (so they work without superuser, e.g. on Supabase):
 * bigger sort memory for index builds, no wait for WAL flush on each COPY commit, and, where the server has it, lz4
 * instead of pglz for values TOAST compresses (long text and jsonb): pglz is the slowest part of loading text-heavy
 * tables (bench/restore: the largest table of the realistic database loads in 4.5 s instead of 6.5 s). Columns with
 * an explicit compression keep it (pg_dump restores it with SET COMPRESSION); lz4 values need PostgreSQL 14 or newer,
 * which the restored database runs on anyway.
 */
export const RESTORE_SESSION_SETTINGS: Record<string, string> = {
  maintenance_work_mem: '512MB',
  work_mem: '64MB',
  synchronous_commit: 'off',
};

export function restoreSessionSettings(server: { lz4: boolean }): Record<string, string> {
  return { ...RESTORE_SESSION_SETTINGS, ...(server.lz4 ? { default_toast_compression: 'lz4' } : {}) };
}

/** Whether the server was built with lz4 (PostgreSQL 14+ built --with-lz4, as Debian's, Supabase's and most are). */
export async function toastLz4(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ lz4: boolean }>(
    `select coalesce((select 'lz4' = any(enumvals) from pg_settings where name = 'default_toast_compression'), false) as lz4`,
  );
  return rows[0]!.lz4;
}

export function pgOptions(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
}

export interface PgRestoreRun {
  toolPath: string;
  target: DbTarget;
  args: string[];
  settings?: Record<string, string>;
  /** Where stdout goes: captured (for --list and scripts) or discarded. */
  capture?: boolean;
  /** Each stderr line (redacted), e.g. --verbose progress. */
  onLine?: (line: string) => void;
}

/** Runs pg_restore over the archive (a path argument, or the plaintext stream on stdin) and returns stdout if captured. */
export async function runPgRestore(source: ArchiveSource, run: PgRestoreRun, ctx: OperationContext): Promise<string> {
  const env = libpqEnv(run.target);
  if (run.settings && Object.keys(run.settings).length) env.PGOPTIONS = pgOptions(run.settings);
  const args = ['--no-password', ...run.args, ...(source.path ? [source.path] : [])];
  const proc = startProcess(run.toolPath, args, {
    env,
    stdin: source.path ? 'ignore' : 'pipe',
    stdout: run.capture ? 'pipe' : 'ignore',
    signal: ctx.signal,
    // Reading a staged file it would go on restoring, and keep the file, after pgdr was killed.
    endsWithPgdr: true,
    onStderrLine: (l) => {
      ctx.log.debug(`pg_restore: ${l}`);
      run.onLine?.(l);
    },
  });
  let out = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (c: string) => (out += c));
  const [exited, fed] = await Promise.allSettled([proc.done, feed(source, proc, ctx)]);
  // A decryption failure explains pg_restore's "unexpected end of file" better than pg_restore does.
  if (fed.status === 'rejected') throw fed.reason;
  if (exited.status === 'rejected') throw exited.reason;
  return out;
}

async function feed(source: ArchiveSource, proc: RunningProcess, ctx: OperationContext): Promise<void> {
  if (source.path) return;
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const input = await source.open!(abort.signal).catch((error: unknown) => {
    // pg_restore waits on its input: without one it must end, not wait for ever.
    ctx.signal.removeEventListener('abort', onAbort);
    proc.stdin?.destroy();
    proc.kill();
    throw error;
  });
  try {
    await pipeline(input, proc.stdin!);
  } catch (error) {
    // pg_restore may stop reading early (--list, or its own failure); its exit status is the verdict then.
    const settled = await proc.done.then(
      () => 'ok',
      () => 'failed',
    );
    if (settled === 'ok') return;
    if (error instanceof PgdrError) throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    abort.abort();
    input.destroy();
  }
}
