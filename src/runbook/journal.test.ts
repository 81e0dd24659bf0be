import { mkdtempSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return { ...real, fsyncSync: vi.fn(real.fsyncSync) };
});

const { RunJournal, readJournal } = await import('./journal.js');

describe('run journal', () => {
  it('fsyncs each transition; the log lines and subtasks of a step are written at once and made durable with the next one', () => {
    const journal = RunJournal.create(join(mkdtempSync(join(tmpdir(), 'pgdr-journal-')), 'run'));
    const fsync = vi.mocked(fs.fsyncSync);
    fsync.mockClear();
    journal.append({ type: 'step.started', at: 1, phaseId: 'a', stepId: 's', title: 'S', attempt: 1 });
    expect(fsync).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 300; i++)
      journal.append({ type: 'log', at: 2, stepId: 's', level: 'info', message: `pg_restore: line ${i}` });
    journal.append({ type: 'task.updated', at: 3, stepId: 's', taskId: 't', title: 'pg_restore', state: 'running' });
    expect(fsync).toHaveBeenCalledTimes(1);
    expect(readJournal(journal.runDir)).toHaveLength(302);
    journal.append({ type: 'step.finished', at: 4, phaseId: 'a', stepId: 's', status: 'succeeded', durationMs: 3 });
    expect(fsync).toHaveBeenCalledTimes(2);
    journal.close();
  });
});
