import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import type { OperationContext } from '../core/context.js';
import { PgdrError } from '../core/errors.js';
import { runProcess } from '../core/system.js';
import { createDecryptStream } from '../crypto/index.js';
import { openStored, type ArchiveKeys } from '../backup/archive.js';
import type { BackupManifest } from '../backup/manifest.js';
import { libpqEnv, type DbTarget } from '../pg/connection.js';
import { SUPABASE_MANAGED_SCHEMAS, schemaMatches } from '../pg/supabase.js';
import type { Repository } from '../storage/index.js';
import type { TocEntry } from './toc.js';

/** Rows of the managed schemas (auth.users, storage.objects …) come back; their definitions already exist in the project. */
const KEPT_IN_MANAGED = new Set(['TABLE DATA', 'SEQUENCE SET']);
/** Platform objects a fresh project creates itself. */
const PLATFORM_DESCS = new Set(['EVENT TRIGGER', 'PUBLICATION']);

/**
 * The archive's entries to restore into a fresh Supabase project: everything outside the managed schemas, the data
 * inside them, and nothing the platform owns (the managed schemas themselves, their comments and grants, event
 * triggers, the realtime publication, comments on extensions).
 */
export function selectForSupabase(entries: TocEntry[]): TocEntry[] {
  const managed = (name: string) => schemaMatches(name, SUPABASE_MANAGED_SCHEMAS);
  return entries.filter((e) => {
    if (PLATFORM_DESCS.has(e.desc)) return false;
    if (e.desc === 'SCHEMA') return !managed(e.tag);
    if ((e.desc === 'COMMENT' || e.desc === 'ACL') && e.schema === '-') {
      const [kind, name] = [e.tag.split(' ')[0], e.tag.split(' ').slice(1).join(' ')];
      if (kind === 'EXTENSION') return false;
      if (kind === 'SCHEMA' && managed(name)) return false;
    }
    if (e.schema !== '-' && managed(e.schema)) return KEPT_IN_MANAGED.has(e.desc);
    return true;
  });
}

/** The stored roles script (custom roles only; reserved ones were left out at backup time). */
export async function readRolesScript(
  repo: Repository,
  manifest: BackupManifest,
  keys: ArchiveKeys,
  signal: AbortSignal,
): Promise<string | undefined> {
  const file = manifest.extras?.find((f) => f.path.startsWith('roles.sql'));
  if (!file) return undefined;
  const stored = await openStored(repo, manifest, file, { signal });
  if (!manifest.encryption) return await text(stored);
  const decrypt = createDecryptStream(
    keys.identities?.length ? { identities: keys.identities } : { passphrase: keys.passphrase! },
  );
  const chunks: Buffer[] = [];
  await pipeline(stored, decrypt, async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) chunks.push(c);
  });
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Makes the roles script safe to run as a project's `postgres` role (not a superuser) and twice: a role that exists
 * is left alone, and attributes only a superuser may set (even to "no") are dropped; they are the defaults.
 */
export function adaptRolesScript(sql: string): string {
  return sql
    .split('\n')
    .map((line) => {
      const create = /^CREATE ROLE ("(?:[^"]|"")+"|[^\s;]+);$/.exec(line);
      if (create)
        return `DO $pgdr$ BEGIN CREATE ROLE ${create[1]}; EXCEPTION WHEN duplicate_object THEN NULL; END $pgdr$;`;
      if (/^ALTER ROLE /.test(line)) return line.replace(/ (NOSUPERUSER|NOREPLICATION|NOBYPASSRLS)\b/g, '');
      return line;
    })
    .join('\n');
}

export async function applyRoles(
  psqlPath: string,
  target: DbTarget,
  script: string,
  ctx: OperationContext,
): Promise<void> {
  try {
    await runProcess(psqlPath, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--no-password', '-f', '-'], {
      env: libpqEnv(target),
      input: adaptRolesScript(script),
      signal: ctx.signal,
    });
  } catch (error) {
    throw new PgdrError(`Creating the project's roles failed: ${(error as Error).message}`, {
      hint: 'Nothing else was restored yet. Check that the target is a Supabase project (or a database with its reserved roles) and that you connect as postgres.',
      cause: error,
    });
  }
}
