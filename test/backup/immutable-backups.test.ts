import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useClusterWith } from '../helpers/cluster.js';
import { runPgdr } from '../helpers/cli.js';
import { startS3Contract, type S3Contract } from '../helpers/s3-contract.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import { writeFakeBackup } from '../helpers/manifests.js';
import { makeBackupId } from '../../src/backup/backup-id.js';
import { backupKeys } from '../../src/backup/backup-lock.js';
import { lockedWrites } from '../../src/storage/object-lock.js';
import { openRepository } from '../../src/storage/index.js';
import { runProcess } from '../../src/core/system.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let s3: S3Contract;
let plain: S3Emulator;
let cluster: LocalCluster;
let env: Record<string, string>;
const work = mkdtempSync(join(tmpdir(), 'pgdr-immutable-'));
const DAY = 86_400_000;
const lsattr = async (path: string) => (await runProcess('lsattr', ['-d', path])).split(' ')[0]!;

beforeAll(async () => {
  s3 = await startS3Contract({ objectLock: true });
  plain = await startS3();
  cluster = await useClusterWith(
    'app',
    'create table t (id int primary key); insert into t select generate_series(1, 500);',
  );
  env = { ...s3.env, PGDR_HOME: join(work, 'home'), PGDR_CONFIG: '' };
});

afterAll(async () => {
  // Immutable files would outlive the test run: lift the flag before the temporary directories go.
  await runProcess('chattr', ['-R', '-i', work]).catch(() => {});
  await s3.stop();
  await plain.stop();
});

/** pgdr backup into `repo`, locked 30 days in compliance mode. */
const lockedBackup = (repo: string) => [
  'backup',
  '--repo',
  repo,
  '--db',
  cluster.urlFor('app'),
  '--lock-days',
  '30',
  '--object-lock',
  'compliance',
];
const run = (args: string[], extra: Record<string, string> = {}) =>
  runPgdr(args, { env: { ...env, ...extra }, cwd: work });

describe('backups no one can delete: S3 Object Lock', () => {
  const url = () => `s3://${s3.bucket}/locked`;

  it('writes every object of the backup with its retention date and a checksum; pgdr’s own lock file stays free', async () => {
    const r = await run([...lockedBackup(url()), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { id: string; lock: { mode: string; until: string } };
    expect(result.lock.mode).toBe('compliance');
    const until = Date.parse(result.lock.until);
    expect(Math.abs(until - (Date.now() + 30 * DAY))).toBeLessThan(120_000);
    const writes = s3.requests.filter(
      (r) => (r.method === 'PUT' || (r.method === 'POST' && r.query.includes('uploads'))) && r.key.includes(result.id),
    );
    const objects = [...new Set(writes.map((w) => w.key))].sort();
    expect(objects).toEqual(
      ['SHA256SUMS', 'data.dump.zst', 'manifest.json'].map((f) => `locked/backups/${result.id}/${f}`),
    );
    for (const w of writes.filter((w) => !w.query.includes('partNumber'))) {
      expect(w.headers['x-amz-object-lock-mode'], w.key).toBe('COMPLIANCE');
      expect(Date.parse(w.headers['x-amz-object-lock-retain-until-date']!)).toBe(until);
      expect(w.status, w.key).toBeLessThan(300);
      // S3 refuses a write under retention without one (the contract server too).
      expect(
        Object.keys(w.headers).some((h) => h.startsWith('x-amz-checksum-') || h === 'content-md5'),
        w.key,
      ).toBe(true);
    }
    const lockFile = s3.requests.filter((r) => r.method === 'PUT' && r.key === 'locked/locks/backup-app');
    expect(lockFile.length).toBeGreaterThan(0);
    expect(lockFile.every((r) => !r.headers['x-amz-object-lock-mode'])).toBe(true);

    const list = await run(['backups', 'list', '--repo', url()]);
    expect(list.stdout).toMatch(
      new RegExp(`^${result.id} .* until ${result.lock.until.slice(0, 10)} \\(compliance\\)$`, 'm'),
    );
  });

  it('prune keeps a locked backup and says until when; the unlocked one goes; nothing is deleted from under a lock', async () => {
    const repo = openRepository(url(), { env: s3.env });
    const lockedUntil = new Date(Date.now() + 20 * DAY);
    const old = makeBackupId('full', 'app', new Date(Date.now() - 60 * DAY));
    const older = makeBackupId('full', 'app', new Date(Date.now() - 61 * DAY));
    const locked = lockedWrites(repo, { mode: 'governance', until: lockedUntil });
    const m = await writeFakeBackup(locked, old);
    await locked.writeFile(`backups/${old}/SHA256SUMS`, `${m.files[0]!.sha256}  ${m.files[0]!.path}\n`);
    await writeFakeBackup(repo, older);
    const deletesBefore = s3.requests.length;

    const r = await run(['prune', '--repo', url(), '--retention-days', '7']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^${old} .* keep\\s+locked until ${lockedUntil.toISOString().slice(0, 16).replace('T', ' ')} UTC \\(S3 Object Lock, governance\\)$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(new RegExp(`^${older} .* removed\\s+outside the retention policy$`, 'm'));
    expect(r.stdout).toContain('Kept 1 locked backup(s) the policy would remove');
    const deleted = s3.requests
      .slice(deletesBefore)
      .filter((r) => r.method === 'POST' && r.query.includes('delete'))
      .map((r) => r.body)
      .join('');
    expect(deleted).toContain(older);
    expect(deleted).not.toContain(old);
    const listed = await run(['backups', 'list', '--repo', url(), '--json']);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((b) => b.id)).toContain(old);
  });

  it('refuses a lock it cannot give before pg_dump runs: no mode on S3, a bucket without Object Lock', async () => {
    const before = await openRepository(url(), { env: s3.env }).listDirs('backups/');
    const noMode = await run(['backup', '--repo', url(), '--db', cluster.urlFor('app'), '--lock-days', '30']);
    expect(noMode.code).toBe(2);
    expect(noMode.stderr).toContain('needs its Object Lock mode');
    const bucket = await run(lockedBackup(`s3://${plain.bucket}/x`), plain.env);
    expect(bucket.code).toBe(2);
    expect(bucket.stderr).toContain('does not have Object Lock enabled');
    expect(await openRepository(url(), { env: s3.env }).listDirs('backups/')).toEqual(before);
    expect(await openRepository(`s3://${plain.bucket}/x`, { env: plain.env }).listDirs('backups/')).toEqual([]);
  });

  it('doctor: a newest backup under compliance retention is safe; one without retention can be deleted with pgdr’s credentials', async () => {
    const dir = mkdtempSync(join(work, 'doctor-'));
    const config = (repo: string) =>
      writeFileSync(
        join(dir, 'pgdr.config.yaml'),
        `targets:\n  prod:\n    urlEnv: APP_URL\n    role: production\nrepository:\n  url: ${repo}\n`,
        {
          mode: 0o600,
        },
      );
    const doctorEnv = { ...env, APP_URL: cluster.urlFor('app') };
    config(url());
    const locked = await runDoctor({ cwd: dir, env: doctorEnv });
    expect(locked.findings.filter((f) => f.check === 'backup.deletable')).toEqual([
      expect.objectContaining({
        severity: 'ok',
        message: expect.stringMatching(
          /is locked until .* \(S3 Object Lock, compliance\): no credentials can delete it before then/,
        ),
      }),
    ]);
    const open = `s3://${s3.bucket}/open`;
    const take = await run(['backup', '--repo', open, '--db', cluster.urlFor('app')]);
    expect(take.code, take.stderr).toBe(0);
    config(open);
    const report = await runDoctor({ cwd: dir, env: doctorEnv });
    expect(report.findings.filter((f) => f.check === 'backup.deletable')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringMatching(
          /can be deleted with the credentials pgdr runs with: it has no Object Lock retention/,
        ),
        action: expect.stringContaining('repository.lock'),
      }),
    ]);
  });
});

describe('backups no one can delete: a local repository', () => {
  const repoDir = join(work, 'repo');

  it('--lock-days seals the finished backup: read-only and immutable (chattr +i), shown by backups list', async () => {
    const r = await run(['backup', '--repo', repoDir, '--db', cluster.urlFor('app'), '--lock-days', '10']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/locked {5}until .* UTC \(read-only and immutable, chattr \+i\)/);
    const id = readdirSync(join(repoDir, 'backups'))[0]!;
    for (const file of ['manifest.json', 'SHA256SUMS', 'data.dump.zst']) {
      const path = join(repoDir, 'backups', id, file);
      expect(statSync(path).mode & 0o222, file).toBe(0);
      expect(await lsattr(path), file).toContain('i');
    }
    const list = await run(['backups', 'list', '--repo', repoDir]);
    expect(list.stdout).toMatch(new RegExp(`^${id} .* until \\d{4}-\\d\\d-\\d\\d \\(chattr \\+i\\)$`, 'm'));
  });

  it('prune skips a locked local backup and says until when; one whose lock ran out is opened and removed', async () => {
    const repo = openRepository(repoDir);
    const stillLocked = makeBackupId('full', 'app', new Date(Date.now() - 40 * DAY));
    const expired = makeBackupId('full', 'app', new Date(Date.now() - 41 * DAY));
    const until = new Date(Date.now() + 5 * DAY).toISOString();
    const a = await writeFakeBackup(repo, stillLocked, { lock: { mode: 'local', until } });
    const b = await writeFakeBackup(repo, expired, {
      lock: { mode: 'local', until: new Date(Date.now() - DAY).toISOString() },
    });
    for (const m of [a, b]) {
      await repo.writeFile(`backups/${m.id}/SHA256SUMS`, `${m.files[0]!.sha256}  ${m.files[0]!.path}\n`);
      await repo.seal!(backupKeys(m));
    }

    const r = await run(['prune', '--repo', repoDir, '--retention-days', '7']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^${stillLocked} .* keep\\s+locked until ${until.slice(0, 16).replace('T', ' ')} UTC \\(immutable, chattr \\+i\\)$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(new RegExp(`^${expired} .* removed\\s+outside the retention policy$`, 'm'));
    expect(existsSync(join(repoDir, 'backups', stillLocked, 'manifest.json'))).toBe(true);
    expect(existsSync(join(repoDir, 'backups', expired))).toBe(false);
  });

  it('doctor warns that root can lift chattr +i from the newest backup', async () => {
    const dir = mkdtempSync(join(work, 'doctor-local-'));
    writeFileSync(
      join(dir, 'pgdr.config.yaml'),
      `targets:\n  prod:\n    urlEnv: APP_URL\n    role: production\nrepository:\n  url: ${repoDir}\n`,
      {
        mode: 0o600,
      },
    );
    const report = await runDoctor({ cwd: dir, env: { ...env, APP_URL: cluster.urlFor('app') } });
    const finding = report.findings.find((f) => f.check === 'backup.deletable')!;
    if (process.getuid?.() === 0)
      expect(finding.message).toMatch(/\(immutable, chattr \+i\), but pgdr runs as root, which can lift the flag/);
    else expect(finding.severity).toBe('ok');
  });
});
