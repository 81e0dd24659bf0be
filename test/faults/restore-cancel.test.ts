import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyRunningInto, useClusterWith, psql } from '../helpers/cluster.js';
import { takeBackup } from '../helpers/backups.js';
import { pgdrCommand } from '../helpers/cli.js';
import { builtinActions } from '../../src/actions/index.js';
import { RunCleanup } from '../../src/actions/run-services.js';
import { createRun } from '../../src/runbook/engine.js';
import { loadRunbookText } from '../../src/runbook/loader.js';
import { readJournal } from '../../src/runbook/journal.js';
import { openRepository } from '../../src/storage/index.js';
import { writeRunReports } from '../../src/report/write.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { scripted } from '../runbook/helpers.js';
import { tableFingerprints } from '../helpers/compare.js';
import { runProcess } from '../../src/core/system.js';
import { checked, sleep, until } from './fault-helpers.js';

let cluster: LocalCluster;
const pgdr = () => [process.execPath, ...pgdrCommand()].map((w) => `'${w}'`).join(' ');
let repo: string;
let backupId: string;

/** One phase `restore` of these steps (YAML flow mappings). */
const runbookOf = (steps: string[]) =>
  loadRunbookText(
    `id: cancel\ntitle: Restore\nseverity: low\nrto: 10m\nrpo: 1h\nphases:\n  - id: restore\n    title: Restore\n    steps:\n${steps.map((s) => `      - ${s}\n`).join('')}`,
    'cancel.yaml',
    builtinActions(),
  );

const databases = async () => (await psql(cluster, 'postgres', 'select datname from pg_database')).trim().split('\n');

describe('fault suite: the operator aborts a restore step just after it starts', () => {
  beforeAll(async () => {
    cluster = await useClusterWith(
      'app',
      `create table events (id bigint primary key, note text);
      insert into events select g, repeat(md5(g::text), 4) from generate_series(1, 300000) g;`,
    );
    repo = mkdtempSync(join(tmpdir(), 'pgdr-cancel-repo-'));
    backupId = await takeBackup(['full', '--db', cluster.urlFor('app'), '--repo', repo]);
  });

  it.each([0, 250, 500])(
    'abort %i ms after the restore began: the step ends only once the restore has, and says what it did',
    async (delay) => {
      const actions = builtinActions();
      const scratch = `scratch_cancel_${delay}`;
      const target = { name: 'restored', target: cluster.target(scratch), production: false };
      const run = createRun({
        runbook: runbookOf([
          `{ id: restore, title: Restore into scratch, action: restore.run, with: { id: "${backupId}", target: restored } }`,
          '{ id: rows, title: Row counts, action: pg.ping, with: { target: restored } }',
        ]),
        mode: 'drill',
        prompter: scripted({ undo: false }),
        runsDir: mkdtempSync(join(tmpdir(), 'pgdr-cancel-runs-')),
        actions,
        targets: { restored: target, scratch: { ...target, name: 'scratch' } },
        services: { repository: openRepository(repo), cleanup: new RunCleanup() },
      });
      run.subscribe((e) => {
        if (e.type === 'step.started' && e.stepId === 'restore') setTimeout(() => run.requestAbort(), delay);
      });
      const result = await run.start();
      expect(result.status).toBe('aborted');
      const records = readJournal(result.runDir);
      const end = records.findIndex((r) => r.type === 'step.finished' && r.stepId === 'restore');
      expect(records[end]).toMatchObject({ status: 'aborted' });
      // Nothing of the restore after its end: it had stopped when its step was recorded as aborted.
      expect(
        records.slice(end + 1).filter((r) => r.type !== 'run.finished' && 'stepId' in r && r.stepId === 'restore'),
      ).toEqual([]);
      // Stopped for real: the half-made scratch database is gone, nothing restores into it, and it stays gone.
      await sleep(1000);
      expect(await databases()).not.toContain(scratch);
      checked(`abort ${delay} ms into restore.run: step recorded aborted only after pg_restore stopped, nothing left`);
    },
  );

  it('an in-place restore aborted mid-way: the undo question defaults to No, says what state the database is in and the command that puts it back, which does', async () => {
    await psql(cluster, 'postgres', 'create database victim template app');
    await psql(cluster, 'victim', 'delete from events where id % 3 = 0');
    const before = await tableFingerprints(cluster.target('victim'));
    const actions = builtinActions();
    const target = { name: 'restored', target: cluster.target('victim'), production: false };
    const prompter = scripted();
    const run = createRun({
      runbook: runbookOf([
        '{ id: block, title: Refuse new connections, action: pg.block-connections, with: { target: restored } }',
        `{ id: restore, title: Restore the backup, action: restore.run, with: { id: "${backupId}", target: restored } }`,
      ]),
      mode: 'incident',
      writeReports: writeRunReports,
      prompter,
      runsDir: mkdtempSync(join(tmpdir(), 'pgdr-cancel-runs-')),
      actions,
      targets: { restored: target, primary: { ...target, name: 'primary' } },
      services: { repository: openRepository(repo), cleanup: new RunCleanup() },
    });
    run.subscribe((e) => {
      if (e.type === 'safety.snapshot')
        void until('pg_restore loading victim', () => copyRunningInto(cluster, 'victim')).then(() =>
          run.requestAbort(),
        );
    });
    const result = await run.start();
    expect(result.status).toBe('aborted');
    const undo = prompter.asked.find((p) => p.id === 'undo');
    expect(undo).toMatchObject({ kind: 'confirm', default: false });
    expect(undo?.message).toContain('victim did not finish changing');
    const state = undo?.details?.join('\n') ?? '';
    expect(state).toContain('victim (restored, postgres://postgres:***@127.0.0.1');
    expect(state).toContain('only partly restored in place: step "Restore the backup" was stopped part-way');
    const report = JSON.parse(readFileSync(join(result.runDir, 'report.json'), 'utf8'));
    const [left] = report.aftermath;
    expect(left).toMatchObject({ database: 'victim', complete: false, snapshot: { database: 'victim' } });
    expect(state).toContain(left.putBack);
    expect(report.undo).toMatchObject({ offered: true, accepted: false });
    expect(report.errors.map((e: { message: string }) => e.message).join(' ')).toContain('Aborted by the operator');
    const md = readFileSync(join(result.runDir, 'report.md'), 'utf8');
    expect(md).toContain(left.snapshot.id);
    expect(md).toContain(left.putBack);
    // The command as printed puts the database back as it was before the run (the password comes from libpq).
    await runProcess('sh', ['-c', left.putBack.replace(/^pgdr /, `${pgdr()} `)], {
      env: { ...process.env, PGPASSWORD: cluster.password },
    });
    expect(await tableFingerprints(cluster.target('victim'))).toEqual(before);
    checked(
      'in-place restore aborted mid-pg_restore: undo defaulted to No, state and put-back command named; the command restored the database as it was',
    );
  });
});
