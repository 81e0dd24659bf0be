import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { exited, pgdr, runbookFile, waitForJournal } from './process-helpers.js';
import { killTree } from '../helpers/processes.js';

const noPassword = { PGPASSWORD: undefined };

/** Starts the runbook with `args`, and stops it (as `how`) once its second phase runs; returns the run id. */
async function stoppedRun(dir: string, args: string[], how: 'SIGHUP' | 'SIGKILL', env = {}): Promise<string> {
  const first = pgdr(['run', runbookFile(dir), '--plain', '--yes', ...args], dir, { ...noPassword, ...env });
  const done = exited(first);
  const runId = await waitForJournal(join(dir, 'pgdr-runs'), /"stepId":"pause"/);
  if (how === 'SIGKILL') killTree(first.pid!);
  else first.kill('SIGHUP');
  await done;
  return runId;
}

describe('resuming a run needs nothing typed again', () => {
  it('pgdr run --resume <id> alone rebuilds the targets from the journal, the password coming from PGPASSWORD', async () => {
    const dir = tempDir();
    const env = { PGPASSWORD: 'pw-from-the-environment' };
    const runId = await stoppedRun(
      dir,
      ['--db', 'postgres://app@127.0.0.1:1/app', '--scratch', 'postgres://app@127.0.0.1:1/scratch'],
      'SIGHUP',
      env,
    );
    const resumed = await exited(pgdr(['run', '--resume', runId, '--plain', '--yes'], dir, env));
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).not.toContain('was set when the run began but not now');
    const meta = JSON.parse(readFileSync(join(dir, 'pgdr-runs', runId, 'journal.jsonl'), 'utf8').split('\n')[0]!);
    expect(meta.targets).toContainEqual(
      expect.objectContaining({
        name: 'primary',
        display: 'postgres://app@127.0.0.1:1/app',
        secretEnv: ['PGPASSWORD'],
      }),
    );
    expect(readFileSync(join(dir, 'marker.txt'), 'utf8').trim().split('\n')).toEqual(['a', 'b', 'start-c', 'c']);
  });

  it('asks only for a password that was typed into a URL, once, and keeps it out of the journal', async () => {
    const dir = tempDir();
    const runId = await stoppedRun(dir, ['--db', 'postgres://app:typed-secret@127.0.0.1:1/app'], 'SIGHUP');
    const refused = await exited(pgdr(['run', '--resume', runId, '--plain', '--yes'], dir, noPassword));
    expect(refused.code, refused.out).toBe(2);
    expect(refused.out).toContain('resume.password.primary');
    expect(refused.out).not.toMatch(/resume\.(env|password)\.(?!primary)/);
    const resumed = await exited(
      pgdr(
        ['run', '--resume', runId, '--plain', '--yes', '--answer', 'resume.password.primary=typed-secret'],
        dir,
        noPassword,
      ),
    );
    expect(resumed.code, resumed.out).toBe(0);
    expect(readFileSync(join(dir, 'pgdr-runs', runId, 'journal.jsonl'), 'utf8')).not.toContain('typed-secret');
  });

  it('a run whose pgdr was killed is listed as suspended with the command, and pgdr resume continues it', async () => {
    const dir = tempDir();
    const runId = await stoppedRun(dir, [], 'SIGKILL');
    const list = await exited(pgdr(['runs', 'list'], dir));
    expect(list.out).toMatch(new RegExp(`${runId}\\s+incident\\s+suspended .*→ pgdr run --resume ${runId}`));
    const resumed = await exited(pgdr(['resume', '--plain', '--yes'], dir));
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toContain(`run ${runId} resumed`);
    const again = await exited(pgdr(['resume', '--plain', '--yes'], dir));
    expect(again.code).toBe(2);
    expect(again.out).toContain('No run in pgdr-runs waits to be resumed');
  });

  it('drill --resume is the same as run --resume, and keeps the run a drill', async () => {
    const dir = tempDir();
    const first = pgdr(['drill', runbookFile(dir), '--plain', '--yes'], dir);
    const done = exited(first);
    const runId = await waitForJournal(join(dir, 'pgdr-runs'), /"stepId":"pause"/);
    first.kill('SIGHUP');
    await done;
    const resumed = await exited(pgdr(['drill', '--resume', runId, '--plain', '--yes'], dir));
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toContain('[DRILL]');
  });
});
