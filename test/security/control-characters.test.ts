import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { psql, useClusterWith } from '../helpers/cluster.js';
import { runPgdr, type CliResult } from '../helpers/cli.js';
import { fakeBackup } from '../helpers/manifests.js';
import { safeName } from '../../src/backup/backup-id.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

const ESC = '\u001b';
const FAKE = `\nerror: every backup was deleted${ESC}[31m${ESC}]0;pwned by a backup id\u0007`;
let cluster: LocalCluster;
let repo: string;

/** No escape or bell reaches the terminal, and no line pretends to be pgdr's own error. */
function expectPrintable(r: CliResult): void {
  const shown = r.stdout + r.stderr;
  expect(shown).not.toContain(ESC);
  expect(shown).not.toContain('\u0007');
  expect(shown).not.toMatch(/^error: every backup was deleted/m);
}

beforeAll(async () => {
  cluster = await useClusterWith(
    'app',
    `create table notes (id int, body text); insert into notes values (1, 'ok ${ESC}]0;pwned by a row\u0007 ${ESC}[2J');`,
  );
  repo = mkdtempSync(join(tmpdir(), 'pgdr-ctrl-'));
  const plant = (dir: string, body: string) => {
    mkdirSync(join(repo, 'backups', dir), { recursive: true });
    writeFileSync(join(repo, 'backups', dir, 'manifest.json'), body);
  };
  // A directory named like a backup with a fake error line and terminal escapes after it.
  plant(`20200101T000000Z-full-app${FAKE}`, '{}');
  // A backup that checks out, of a database whose name carries the same.
  const database = `app${FAKE}`;
  const { manifest, files } = fakeBackup(`20200102T000000Z-full-${safeName(database)}`, { database });
  mkdirSync(join(repo, 'backups', manifest.id), { recursive: true });
  writeFileSync(join(repo, 'backups', manifest.id, 'data.dump.zst'), files['data.dump.zst']!);
  writeFileSync(join(repo, 'backups', manifest.id, 'manifest.json'), JSON.stringify(manifest));
  // A manifest whose unknown field names carry them.
  plant('20200103T000000Z-full-app', JSON.stringify({ ...manifest, id: '20200103T000000Z-full-app', [`x${FAKE}`]: 1 }));
});

describe('control characters from a repository or a database', () => {
  it('never reach the terminal from backups list, prune, a refused restore or doctor', async () => {
    const list = await runPgdr(['backups', 'list', '--repo', repo]);
    expect(list.code, list.stderr).toBe(0);
    expectPrintable(list);
    expect(list.stderr).toContain(
      'Skipped backup 20200101T000000Z-full-app\\nerror: every backup was deleted: its name is not a backup id',
    );
    expect(list.stdout).toContain('app\\nerror: every backup was deleted');

    const prune = await runPgdr(['prune', '--repo', repo, '--dry-run']);
    expect(prune.code, prune.stderr).toBe(0);
    expectPrintable(prune);

    const refused = await runPgdr([
      'restore',
      '20200103T000000Z-full-app',
      '--repo',
      repo,
      '--db',
      cluster.urlFor('app'),
      '--dry-run',
    ]);
    expect(refused.code).toBe(1);
    expectPrintable(refused);
    expect(refused.stderr).toContain('it has fields pgdr does not know (x\\nerror: every backup was deleted');

    const doctor = await runPgdr(['doctor', '--repo', repo, '--db', cluster.urlFor('app'), '--no-notify']);
    expectPrintable(doctor);
  });

  it('never reach the terminal from a runbook step that shows a row or a hook’s output', async () => {
    const file = join(repo, 'show.yaml');
    writeFileSync(
      file,
      `id: show\ntitle: Show\nseverity: low\nrto: 10m\nrpo: 1h\nphases:\n  - id: p\n    title: P\n    steps:\n` +
        `      - { id: q, title: Row, action: sql.check, with: { target: primary, query: "select body from notes", equals: "something else" }, continueOnError: true }\n` +
        `      - { id: hook, title: Hook, action: shell, with: { command: 'printf "said \\\\033]0;pwned by a hook\\\\007\\\\n"' } }\n`,
    );
    const r = await runPgdr([
      'run',
      file,
      '--plain',
      '--yes',
      '--db',
      cluster.urlFor('app'),
      '--runs-dir',
      join(repo, 'runs'),
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expectPrintable(r);
    expect(r.stdout).toMatch(/ {2}said\s*$/m);
    expect(r.stdout).toContain('FAILED: expected something else, got ok');
  });
});

describe('control characters in the names a database holds', () => {
  it('never reach the terminal from a backup, a restore and its checks, or a restore test', async () => {
    // A table name with a terminal title, a fake error line and a colour in it, in a schema that clears the screen.
    const schema = `"s${ESC}[2J"`;
    const table = `${schema}."t${ESC}]0;pwned by a table\u0007${FAKE}"`;
    await psql(
      cluster,
      'app',
      `create schema ${schema}; create table ${table} (id int primary key, note text);` +
        ` insert into ${table} select g, 'n' from generate_series(1, 5) g; comment on table ${table} is 'x${ESC}[31m';`,
    );
    const own = mkdtempSync(join(tmpdir(), 'pgdr-ctrl-db-'));
    const pgdr = async (...args: string[]) => {
      const r = await runPgdr([...args, '--repo', own]);
      expectPrintable(r);
      return r;
    };
    expect((await pgdr('backup', 'full', '--db', cluster.urlFor('app'))).code).toBe(0);
    const restore = await pgdr('restore', 'latest', '--db', cluster.urlFor('app'), '--new-db', 'app_ctrl');
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect(restore.stdout).toContain('"s"."t\\nerror: every backup was deleted');
    // The operator's own --table argument, echoed back in the refusal, is shown escaped too.
    const refused = await pgdr(
      'restore',
      'latest',
      '--db',
      cluster.urlFor('app'),
      '--new-db',
      'x',
      '--table',
      `s.t${FAKE}`,
    );
    expect(refused.code).toBe(2);
    const verify = await pgdr(
      'backup',
      'verify',
      'latest',
      '--restore-test',
      '--scratch-db',
      cluster.urlFor('postgres'),
    );
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    await pgdr('backups', 'list');
  });
});
