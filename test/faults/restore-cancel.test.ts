import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useClusterWith, psql } from '../helpers/cluster.js';
import { takeBackup } from '../helpers/backups.js';
import { builtinActions } from '../../src/actions/index.js';
import { RunCleanup } from '../../src/actions/run-services.js';
import { createRun } from '../../src/runbook/engine.js';
import { loadRunbookText } from '../../src/runbook/loader.js';
import { readJournal } from '../../src/runbook/journal.js';
import { openRepository } from '../../src/storage/index.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { scripted } from '../runbook/helpers.js';
import { checked, sleep } from './fault-helpers.js';

let cluster: LocalCluster;
let repo: string;
let backupId: string;

const runbook = (id: string) => `id: cancel
title: Restore then check
severity: low
rto: 10m
rpo: 1h
phases:
  - id: restore
    title: Restore
    steps:
      - { id: restore, title: Restore into scratch, action: restore.run, with: { id: "${id}", target: restored } }
      - { id: rows, title: Row counts, action: pg.ping, with: { target: restored } }
`;

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
        runbook: loadRunbookText(runbook(backupId), 'cancel.yaml', actions),
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
});
