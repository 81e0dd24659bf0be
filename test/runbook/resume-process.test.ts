import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { exited, pgdr, runbookFile, waitForJournal } from './process-helpers.js';
import { killTree } from '../helpers/processes.js';

describe('resume after the process dies', () => {
  it.each([
    ['second', 'pause', ['a', 'b', 'start-c', 'c']],
    ['third', 'c', ['a', 'b', 'start-c', 'start-c', 'c']],
  ])(
    'SIGKILL during phase %s (step %s): resume finishes without repeating finished steps',
    async (_phase, step, expected) => {
      const dir = tempDir();
      const file = runbookFile(dir);
      const runsDir = join(dir, 'runs');
      const first = pgdr(['run', file, '--plain', '--yes', '--runs-dir', runsDir], dir);
      const firstExit = exited(first);
      const runId = await waitForJournal(runsDir, new RegExp(`"step.started"[^\\n]*"stepId":"${step}"`));
      await new Promise((r) => setTimeout(r, 300));
      killTree(first.pid!);
      await firstExit;
      const second = await exited(pgdr(['run', '--resume', runId, '--plain', '--yes', '--runs-dir', runsDir], dir));
      expect(second.code, second.out).toBe(0);
      expect(readFileSync(join(dir, 'marker.txt'), 'utf8').trim().split('\n')).toEqual(expected);
      const report = JSON.parse(readFileSync(join(runsDir, runId, 'report.json'), 'utf8'));
      expect(report.status).toBe('passed');
    },
  );

  it('a hang-up leaves an intact journal and a resumable run', async () => {
    const dir = tempDir();
    const file = runbookFile(dir);
    const runsDir = join(dir, 'runs');
    const child = pgdr(['run', file, '--plain', '--yes', '--runs-dir', runsDir], dir);
    const done = exited(child);
    const runId = await waitForJournal(runsDir, /"stepId":"pause"/);
    child.kill('SIGHUP');
    const { code, out } = await done;
    expect(code, out).toBe(129);
    expect(out).toContain(`pgdr run --resume ${runId}`);
    const lines = readFileSync(join(runsDir, runId, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const records = lines.map((line) => JSON.parse(line));
    expect(records.at(-1)).toMatchObject({ type: 'run.suspended', reason: 'SIGHUP', stepId: 'pause' });
    const resumed = await exited(pgdr(['run', '--resume', runId, '--plain', '--yes', '--runs-dir', runsDir], dir));
    expect(resumed.code, resumed.out).toBe(0);
    expect(readFileSync(join(dir, 'marker.txt'), 'utf8').trim().split('\n')).toEqual(['a', 'b', 'start-c', 'c']);
  });
});
