import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPgdr } from '../helpers/cli.js';
import { useClusterWith } from '../helpers/cluster.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let base: string;

beforeAll(async () => {
  cluster = await useClusterWith('app', 'create table t (id int); insert into t values (1);');
  base = mkdtempSync(join(tmpdir(), 'pgdr-repo-errors-'));
  chmodSync(base, 0o755);
});

describe('repository errors point the right way', () => {
  it('a mistyped --repo is "no repository there", not "no backups yet", for list, restore and verify', async () => {
    const missing = join(base, 'backpus');
    for (const args of [
      ['backups', 'list', '--repo', missing],
      ['restore', 'latest', '--repo', missing, '--db', cluster.urlFor('app'), '--dry-run'],
      ['backup', 'verify', 'latest', '--repo', missing],
    ]) {
      const r = await runPgdr(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`No repository at ${missing}: the directory does not exist.`);
      expect(r.stdout + r.stderr).not.toMatch(/no complete backups/i);
    }
    expect(existsSync(missing)).toBe(false);
  });

  it('doctor --repo <missing dir> says it does not exist, and does not create it', async () => {
    const missing = join(base, 'gone');
    const r = await runPgdr(['doctor', '--repo', missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${missing}: does not exist`);
    expect(r.stdout).not.toContain('reachable and writable');
    expect(existsSync(missing)).toBe(false);
  });

  it('a backup into a repository the user cannot write says permission denied, not "Not found … check the backup id"', async () => {
    const repo = join(base, 'read-only');
    mkdirSync(repo);
    chmodSync(repo, 0o555);
    const home = mkdtempSync(join(tmpdir(), 'pgdr-home-'));
    chmodSync(home, 0o777);
    const r = await runPgdr(['backup', 'full', '--db', cluster.urlFor('app'), '--repo', repo], {
      env: { PGDR_HOME: home },
      asUser: 'postgres',
    });
    expect(r.code, r.stdout + r.stderr).not.toBe(0);
    expect(r.stderr).toContain(`Permission denied while locking ${repo}/locks/backup-app`);
    expect(r.stderr).toContain('Run pgdr as the user that owns the repository directory');
    expect(r.stderr).not.toMatch(/Not found|backup id/);
  });
});
