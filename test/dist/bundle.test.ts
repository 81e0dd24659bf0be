import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { startS3 } from '../helpers/s3.js';
import { psql, useCluster } from '../helpers/cluster.js';

const BUNDLE = join(ROOT, 'dist/pgdr.mjs');
let dir: string;
let cache: string;

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** The bundle, rebuilt unless it is newer than everything it is made of. */
function freshBundle(): string {
  const inputs = ['src', 'runbooks', 'templates', 'scripts', 'package.json'].map((p) => newest(join(ROOT, p)));
  if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < Math.max(...inputs)) execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { cwd: ROOT, stdio: 'pipe' });
  return BUNDLE;
}

/** `node pgdr.mjs …` in the empty directory, with nothing from this checkout on any path. */
function pgdr(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH!, HOME: process.env.HOME ?? dir, XDG_CACHE_HOME: cache, NO_COLOR: '1', LANG: 'C.UTF-8', ...extraEnv };
  const child = spawn(process.execPath, ['pgdr.mjs', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('dist/pgdr.mjs: one file, plain node, an empty directory', () => {
  beforeAll(() => {
    const bundle = freshBundle();
    dir = mkdtempSync(join(tmpdir(), 'pgdr-bastion-'));
    // As root the sandbox cluster runs as postgres; it must be able to pass through here.
    chmodSync(dir, 0o755);
    cache = join(dir, '.cache');
    copyFileSync(bundle, join(dir, 'pgdr.mjs'));
    expect(readdirSync(dir)).toEqual(['pgdr.mjs']);
  });

  it('--version and --help answer without compiling the commands', async () => {
    const version = await pgdr(['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const help = await pgdr(['--help']);
    expect(help.code, help.stderr).toBe(0);
    for (const command of ['backup', 'restore', 'drill', 'runbooks', 'doctor', 'completion']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    // The commands' code is written to the cache only when one runs.
    expect(existsSync(cache) ? readdirSync(join(cache, 'pgdr')).filter((f) => f.startsWith('commands-')) : []).toEqual([]);
    const typo = await pgdr(['bakup']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean backup?');
  });

  it('subcommand help, runbooks and completion come from inside the file', async () => {
    const help = await pgdr(['backup', 'verify', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('--restore-test');
    const list = await pgdr(['runbooks', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('complete-loss');
    const completion = await pgdr(['completion', 'bash']);
    expect(completion.code, completion.stderr).toBe(0);
    expect(completion.stdout).toContain('complete -o default -F _pgdr pgdr');
    expect(completion.stdout).toContain('quarterly-drill');
    writeFileSync(join(dir, 'pgdr.bash'), completion.stdout);
    const words = execFileSync('bash', ['-c', 'source ./pgdr.bash; COMP_WORDS=(pgdr backup verify --re); COMP_CWORD=3; _pgdr; echo "${COMPREPLY[*]}"'], { cwd: dir }).toString();
    expect(words.trim().split(' ').sort()).toEqual(['--repo', '--restore-test']);
    const cached = readdirSync(join(cache, 'pgdr'));
    expect(cached.filter((f) => f.startsWith('commands-'))).toHaveLength(1);
    expect(statSync(join(cache, 'pgdr')).mode & 0o777).toBe(0o700);
    process.stdout.write('  bundle ✔ help, runbooks and bash completion from the single file\n');
  });

  it('backs up to S3 and restores from it: the SDK, loaded lazily from its own chunk, works in the bundle', async () => {
    const s3 = await startS3();
    const cluster = await useCluster();
    try {
      await psql(cluster, 'postgres', 'create database shop');
      await psql(cluster, 'shop', 'create table orders (id int primary key, item text); insert into orders select g, md5(g::text) from generate_series(1, 1000) g');
      const repo = `s3://${s3.bucket}/bundle`;
      const backup = await pgdr(['backup', '--db', cluster.urlFor('shop'), '--repo', repo, '--json'], s3.env);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stderr).not.toContain('NodeVersionSupportWarning');
      const restore = await pgdr(['restore', 'latest', '--db', cluster.urlFor('shop'), '--repo', repo, '--new-db', 'shop_back'], s3.env);
      expect(restore.code, restore.stderr).toBe(0);
      expect(await psql(cluster, 'shop_back', 'select count(*) from orders')).toBe('1000\n');
    } finally {
      await s3.stop();
    }
    process.stdout.write('  bundle ✔ backup to S3 and restore from it with the single file\n');
  });

  it('drill --sandbox --plain --yes passes and writes its report, even with a private TMPDIR', async () => {
    // A private TMPDIR (0700, as pam_tmpdir sets up): as root the cluster must go where postgres can enter.
    const privateTmp = mkdtempSync(join(tmpdir(), 'pgdr-private-tmp-'));
    const drill = await pgdr(['drill', '--sandbox', '--plain', '--yes'], { TMPDIR: privateTmp });
    expect(drill.code, drill.stderr + drill.stdout).toBe(0);
    const runs = readdirSync(join(dir, 'pgdr-runs'));
    expect(runs).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(dir, 'pgdr-runs', runs[0]!, 'report.json'), 'utf8'));
    expect(report.status).toBe('passed');
    expect(readFileSync(join(dir, 'pgdr-runs', runs[0]!, 'report.html'), 'utf8')).toContain('<svg');
    process.stdout.write('  bundle ✔ a sandbox drill from the single file in an empty directory\n');
  });
});
