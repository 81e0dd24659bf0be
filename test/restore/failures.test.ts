import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql, createDatabase } from '../helpers/cluster.js';
import { tableFingerprints } from '../helpers/compare.js';
import { pgdrCommand, ROOT, runPgdr } from '../helpers/cli.js';
import { generateIdentity } from '../../src/crypto/index.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let repo: string;
let keyFile: string;
let encryptedId: string;
let plainId: string;

const databases = async () =>
  (await psql(cluster, 'postgres', 'select datname from pg_database order by 1')).trim().split('\n');

async function state() {
  return { dbs: await databases(), app: await tableFingerprints(cluster.target('app')) };
}

describe('pgdr restore refuses bad input before touching any database', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await createDatabase(cluster, 'app');
    // Big enough that pg_restore runs for a few seconds, so Ctrl-C lands in the middle of it.
    await psql(
      cluster,
      'app',
      `create table events (id bigint primary key, note text);
      insert into events select g, repeat(md5(g::text), 4) from generate_series(1, 600000) g;
      create table small (id int primary key); insert into small select generate_series(1, 10);`,
    );
    repo = mkdtempSync(join(tmpdir(), 'pgdr-restore-fail-'));
    const { identity, recipient } = generateIdentity();
    keyFile = join(repo, 'key.txt');
    writeFileSync(keyFile, identity + '\n', { mode: 0o600 });
    const enc = await runPgdr([
      'backup',
      '--db',
      cluster.urlFor('app'),
      '--repo',
      repo,
      '--encrypt-to',
      recipient,
      '--json',
    ]);
    expect(enc.code, enc.stderr).toBe(0);
    encryptedId = JSON.parse(enc.stdout).id;
    await new Promise((r) => setTimeout(r, 1100));
    const plain = await runPgdr(['backup', '--db', cluster.urlFor('app'), '--repo', repo, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    plainId = JSON.parse(plain.stdout).id;
  });

  it('a missing backup, a wrong age key and a corrupted archive each fail with a clear message and change nothing', async () => {
    const before = await state();
    const missing = await runPgdr([
      'restore',
      'nosuchbackup',
      '--repo',
      repo,
      '--db',
      cluster.urlFor('app'),
      '--clean',
      '--confirm',
      'app',
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('No backup "nosuchbackup"');

    const noKey = await runPgdr([
      'restore',
      encryptedId,
      '--repo',
      repo,
      '--db',
      cluster.urlFor('app'),
      '--clean',
      '--confirm',
      'app',
    ]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--identity FILE');

    const wrongKey = join(repo, 'wrong.txt');
    writeFileSync(wrongKey, generateIdentity().identity + '\n');
    for (const jobs of ['1', '2']) {
      const wrong = await runPgdr([
        'restore',
        encryptedId,
        '--repo',
        repo,
        '--db',
        cluster.urlFor('app'),
        '--clean',
        '--confirm',
        'app',
        '--identity',
        wrongKey,
        '--jobs',
        jobs,
      ]);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/identity|decrypt/i);
      expect(wrong.stderr).not.toContain('Safety snapshot');
    }

    const file = join(repo, 'backups', plainId, 'data.dump.zst');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);
    for (const jobs of ['1', '2']) {
      const corrupt = await runPgdr([
        'restore',
        plainId,
        '--repo',
        repo,
        '--db',
        cluster.urlFor('app'),
        '--new-db',
        'never',
        '--jobs',
        jobs,
      ]);
      expect(corrupt.code).not.toBe(0);
      expect(corrupt.stderr).toContain('does not match its checksum');
    }
    const corruptInPlace = await runPgdr([
      'restore',
      plainId,
      '--repo',
      repo,
      '--db',
      cluster.urlFor('app'),
      '--clean',
      '--confirm',
      'app',
    ]);
    expect(corruptInPlace.stderr).toContain('does not match its checksum');

    expect(await state()).toEqual(before);
    const list = await runPgdr(['backups', 'list', '--repo', repo, '--json']);
    expect(JSON.parse(list.stdout)).toHaveLength(2);
  });

  it('Ctrl-C during a --new-db restore drops the half-made database and leaves every other one as it was', async () => {
    const before = await state();
    const child = spawn(
      process.execPath,
      [
        ...pgdrCommand(),
        'restore',
        encryptedId,
        '--repo',
        repo,
        '--db',
        cluster.urlFor('app'),
        '--new-db',
        'half',
        '--identity',
        keyFile,
        '--jobs',
        '1',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (c) => {
      stderr += c;
      if (!sent && stderr.includes('Restoring into half')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(sent, stderr).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain('half-restored database half was dropped');
    expect(await state()).toEqual(before);
  });
});
