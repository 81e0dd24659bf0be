import { describe, expect, it } from 'vitest';
import type { ActionContext } from '../../src/actions/registry.js';
import type { RunEvent } from '../../src/runbook/events.js';
import { runTasks } from '../../src/actions/tasks.js';
import { withRestoreSubtasks } from '../../src/actions/restore-tasks.js';

function fakeContext(events: RunEvent[], logs: string[]): ActionContext {
  return {
    runId: 'r',
    stepId: 'restore',
    mode: 'drill',
    runDir: '/nowhere',
    inputs: {},
    outputs: {},
    targets: {},
    services: {},
    target: () => {
      throw new Error('no targets');
    },
    log: {
      debug: (m) => logs.push(m),
      info: (m) => logs.push(m),
      warn: (m) => logs.push(m),
      error: (m) => logs.push(m),
    },
    progress: () => {},
    prompt: async () => true,
    signal: new AbortController().signal,
    emit: (event) => events.push(event),
    now: () => Date.now(),
  };
}

const states = (events: RunEvent[], title: string) =>
  events.flatMap((e) => (e.type === 'task.updated' && e.title.startsWith(title) ? [e.state] : []));

describe('listr2 bridge', () => {
  it('turns each subtask state change into a task.updated event and its output into log lines', async () => {
    const events: RunEvent[] = [];
    const logs: string[] = [];
    await runTasks(fakeContext(events, logs), [
      { title: 'checksum', task: async (_c, task) => (task.output = 'sha256 ok') },
      { title: 'fetch', skip: () => 'local repository', task: async () => {} },
      {
        title: 'pg_restore',
        task: async (_c, task) => {
          task.title = 'pg_restore: 16 tables';
        },
      },
    ]);

    expect(states(events, 'checksum')).toEqual(expect.arrayContaining(['running', 'done']));
    expect(states(events, 'fetch')).toContain('skipped');
    expect(
      events.some((e) => e.type === 'task.updated' && e.title === 'pg_restore: 16 tables' && e.state === 'done'),
    ).toBe(true);
    expect(events.every((e) => e.type !== 'task.updated' || e.stepId === 'restore')).toBe(true);
    expect(logs).toContain('sha256 ok');
  });

  it('marks the running subtask failed and rethrows when the work fails', async () => {
    const events: RunEvent[] = [];
    const failing = withRestoreSubtasks(
      fakeContext(events, []),
      [
        { title: 'Checksum', until: 'checked' },
        { title: 'pg_restore', until: 'analyzing' },
      ],
      async (inner) => {
        inner.log.info('Backup checked: 3 entries');
        throw new Error('pg_restore: out of disk');
      },
      () => '',
    );

    await expect(failing).rejects.toThrow('out of disk');
    expect(states(events, 'Checksum')).toContain('done');
    expect(states(events, 'pg_restore')).toContain('failed');
  });

  it('follows a restore through its milestones and titles the last subtask with the summary', async () => {
    const events: RunEvent[] = [];
    const result = await withRestoreSubtasks(
      fakeContext(events, []),
      [
        { title: 'Checksum', until: 'checked' },
        { title: 'pg_restore', until: 'analyzing' },
        { title: 'Row counts', until: 'done' },
      ],
      async (inner) => {
        for (const line of ['Backup checked: 3 entries', 'Restoring into app (1 job(s))…', 'ANALYZE app…'])
          inner.log.info(line);
        return 16;
      },
      (n) => `${n} table(s) match`,
    );

    expect(result).toBe(16);
    expect(
      events.some(
        (e) => e.type === 'task.updated' && e.title === 'Row counts: 16 table(s) match' && e.state === 'done',
      ),
    ).toBe(true);
  });
});
