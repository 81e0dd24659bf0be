import { childOf } from '../helpers/pg-dump-faults.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql, createDatabase, databaseNames } from '../helpers/cluster.js';
import { tableFingerprints } from '../helpers/compare.js';
import { pgdrCommand, ROOT, runPgdr } from '../helpers/cli.js';
import { generateIdentity } from '../../src/crypto/index.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { checked, sleep, until } from './fault-helpers.js';
import { restoreBackup } from '../../src/restore/index.js';
import { openRepository } from '../../src/storage/index.js';
import { quietContext } from '../../src/core/context.js';
import { ChecksumMismatch, DecryptionFailed, type PgdrError } from '../../src/core/errors.js';
import { BackupDamaged } from '../../src/backup/catalog.js';
import type { ArchiveKeys } from '../../src/backup/archive.js';

let cluster: LocalCluster;
let repo: string;
let plainId: string;
let encryptedId: string;

const databases = () => databaseNames(cluster);

/** Every database there was before, each table's rows as they were. */
async function state() {
  return {
    dbs: await databases(),
    app: await tableFingerprints(cluster.target('app')),
    other: await tableFingerprints(cluster.target('other')),
  };
}

/** A database a killed restore left behind must say so: pgdr comments it as incomplete until the restore finished. */
async function goneOrMarked(name: string): Promise<string> {
  if (!(await databases()).includes(name)) return 'gone';
  const comment = await psql(
    cluster,
    'postgres',
    `select coalesce(shobj_description(oid, 'pg_database'), '') from pg_database where datname = '${name}'`,
  );
  expect(comment, `${name} was left behind without a mark`).toMatch(/pgdr.*(incomplete|in progress|unfinished)/i);
  return `marked: ${comment.trim()}`;
}

const copying = async (name: string) =>
  (
    await psql(
      cluster,
      'postgres',
      `select count(*) from pg_stat_activity where datname = '${name}' and query ilike 'copy %'`,
    )
  ).trim() !== '0';

const noSessionsOn = async (name: string) =>
  (await psql(cluster, 'postgres', `select count(*) from pg_stat_activity where datname = '${name}'`)).trim() === '0';

/** `pgdr restore … --new-db <name>` that calls `fault` once pg_restore is writing into the new database. */
function restoreWithFault(
  id: string,
  name: string,
  fault: (pid: number) => Promise<void> | void,
  extra: string[] = [],
): Promise<{ code: number | null; stderr: string; faulted: boolean }> {
  const child = spawn(
    process.execPath,
    [
      ...pgdrCommand(),
      'restore',
      id,
      '--repo',
      repo,
      '--db',
      cluster.urlFor('app'),
      '--new-db',
      name,
      '--jobs',
      '1',
      ...extra,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  let faulted = false;
  let faultDone: Promise<void> = Promise.resolve();
  child.stderr.on('data', (c) => {
    stderr += c;
    if (!faulted && stderr.includes(`Restoring into ${name}`)) {
      faulted = true;
      // The fault lands while pg_restore's COPY is running in the new database, not after a guessed delay.
      faultDone = until(`COPY into ${name}`, () => copying(name), 20_000).then(
        () => fault(child.pid!),
        () => void (faulted = false),
      );
    }
  });
  child.stdout.resume();
  return new Promise((resolve) =>
    child.on('close', (code) => void faultDone.finally(() => resolve({ code, stderr, faulted }))),
  );
}

describe('fault suite: restore', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await createDatabase(cluster, 'app');
    await createDatabase(cluster, 'other');
    // Enough rows that pg_restore runs for a few seconds, so a fault lands in the middle of it.
    await psql(
      cluster,
      'app',
      `create table events (id bigint primary key, note text);
      insert into events select g, repeat(md5(g::text), 4) from generate_series(1, 500000) g;
      create table small (id int primary key); insert into small select generate_series(1, 10);`,
    );
    await psql(
      cluster,
      'other',
      'create table keep (id int primary key, v text); insert into keep select g, g::text from generate_series(1, 100) g;',
    );
    repo = mkdtempSync(join(tmpdir(), 'pgdr-restore-fault-'));
    const plain = await runPgdr(['backup', '--db', cluster.urlFor('app'), '--repo', repo, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    plainId = JSON.parse(plain.stdout).id;
    await sleep(1100);
    const enc = await runPgdr([
      'backup',
      '--db',
      cluster.urlFor('app'),
      '--repo',
      repo,
      '--encrypt-to',
      generateIdentity().recipient,
      '--json',
    ]);
    expect(enc.code, enc.stderr).toBe(0);
    encryptedId = JSON.parse(enc.stdout).id;
  });

  it('SIGKILL of pgdr mid-restore: the new database is gone or marked incomplete; every other database untouched', async () => {
    const before = await state();
    const r = await restoreWithFault(plainId, 'killed_pgdr', (pid) => void process.kill(pid, 'SIGKILL'));
    expect(r.faulted, r.stderr).toBe(true);
    expect(r.code).not.toBe(0);
    await until('the orphaned pg_restore to go', () => noSessionsOn('killed_pgdr'));
    const left = await goneOrMarked('killed_pgdr');
    expect({ ...(await state()), dbs: (await databases()).filter((d) => d !== 'killed_pgdr') }).toEqual(before);
    if (left !== 'gone') {
      const again = await runPgdr([
        'restore',
        plainId,
        '--repo',
        repo,
        '--db',
        cluster.urlFor('app'),
        '--new-db',
        'killed_pgdr',
      ]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('never finished');
      expect(again.stderr).toContain('DROP DATABASE "killed_pgdr"');
    }
    await psql(cluster, 'postgres', 'drop database if exists killed_pgdr');
    checked(`SIGKILL of pgdr during a --new-db restore: new database ${left}; app and other untouched`);
  });

  it('SIGKILL of pg_restore: a clear error, the half-made database dropped, the rest untouched', async () => {
    const before = await state();
    const r = await restoreWithFault(plainId, 'killed_tool', (pid) => {
      // Only this restore's pg_restore: the other test files run theirs at the same time.
      const tool = childOf(pid, 'pg_restore');
      if (tool) process.kill(tool, 'SIGKILL');
    });
    expect(r.faulted, r.stderr).toBe(true);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'error: Restore into the new database killed_tool failed: pg_restore was killed by SIGKILL',
    );
    expect(r.stderr).toContain('the half-restored database killed_tool was dropped; no existing database was touched.');
    expect(await state()).toEqual(before);
    checked('SIGKILL of pg_restore: clear error, half-made database dropped, nothing else changed');
  });

  it('the server goes away mid-restore: the error names the target and the state it is left in', async () => {
    const before = await state();
    let stderr: string;
    try {
      const r = await restoreWithFault(plainId, 'server_gone', () => cluster.stop({ mode: 'fast' }));
      stderr = r.stderr;
      expect(r.faulted, r.stderr).toBe(true);
      expect(r.code).not.toBe(0);
    } finally {
      await cluster.start();
    }
    expect(stderr).toContain('server_gone');
    // The drop cannot have worked with the server down: the message must not claim it did.
    expect(stderr).not.toMatch(/server_gone was dropped/);
    expect(stderr).toContain('error: Restore into the new database server_gone failed');
    expect(stderr).toContain('the half-restored database server_gone could not be dropped');
    expect(stderr).toContain('drop it when the server answers: DROP DATABASE "server_gone"');
    const left = await goneOrMarked('server_gone');
    expect({ ...(await state()), dbs: (await databases()).filter((d) => d !== 'server_gone') }).toEqual(before);
    await psql(cluster, 'postgres', 'drop database if exists server_gone');
    checked(`server stopped mid-restore: error names server_gone and its state (${left}); other databases untouched`);
  });

  it('a wrong identity, a truncated archive and a manifest that does not match the data are refused before any change', async () => {
    const before = await state();
    const refused = async (id: string, repoDir: string, database: string, keys: ArchiveKeys = {}) =>
      restoreBackup(
        {
          into: 'new-db',
          database,
          content: { what: 'full' },
          repo: openRepository(repoDir),
          ref: id,
          target: cluster.target('app'),
          keys,
        },
        quietContext(),
      ).then(
        () => expect.fail(`restoring into ${database} should have been refused`),
        (error: unknown) => error as PgdrError,
      );

    const wrong = await refused(encryptedId, repo, 'never_wrong_key', { identities: [generateIdentity().identity] });
    expect(wrong).toBeInstanceOf(DecryptionFailed);
    expect(wrong.message).toBe('No identity matches this encrypted file.');

    const copy = (label: string) => {
      const dir = mkdtempSync(join(tmpdir(), `pgdr-${label}-`));
      cpSync(join(repo, 'backups', plainId), join(dir, 'backups', plainId), { recursive: true });
      return { dir, backup: join(dir, 'backups', plainId) };
    };
    const truncated = copy('truncated');
    const dump = join(truncated.backup, 'data.dump.zst');
    truncateSync(dump, Math.floor(statSync(dump).size / 2));
    const cut = await refused(plainId, truncated.dir, 'never_truncated');
    // The size is checked when the backup is listed, before a byte is read: the backup is damaged, not restored.
    const sizes = (id: string) =>
      new RegExp(`^Backup ${id} cannot be used: its file data.dump.zst has \\d+ bytes, the manifest says \\d+\\.$`);
    expect(cut).toBeInstanceOf(BackupDamaged);
    expect(cut.message).toMatch(sizes(plainId));

    for (const field of ['sha256', 'bytes'] as const) {
      const edited = copy(`manifest-${field}`);
      const path = join(edited.backup, 'manifest.json');
      const manifest = JSON.parse(readFileSync(path, 'utf8'));
      const file = manifest.files[0];
      expect(file).toHaveProperty(field);
      file[field] = field === 'sha256' ? 'f'.repeat(64) : file.bytes + 1;
      writeFileSync(path, JSON.stringify(manifest, null, 2));
      const r = await refused(plainId, edited.dir, `never_${field}`);
      if (field === 'bytes') {
        expect(r, `manifest ${field} edited`).toBeInstanceOf(BackupDamaged);
        expect(r.message).toBe(
          `Backup ${plainId} cannot be used: its manifest cannot be used: its size is not the sum of its files' sizes.`,
        );
      } else {
        expect(r, `manifest ${field} edited`).toBeInstanceOf(ChecksumMismatch);
        expect(r.message).toMatch(
          new RegExp(
            `^Backup ${plainId}: data.dump.zst does not match its checksum \\(expected ffffffffffffffff…, found [0-9a-f]{16}…\\)\\.$`,
          ),
        );
      }
    }
    expect(await state()).toEqual(before);
    checked(
      'wrong age identity, truncated archive, manifest sha256 and bytes edited: each refused (the class and message checked), no database created',
    );
  });
});
