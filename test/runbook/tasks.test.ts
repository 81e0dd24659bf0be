import { describe, expect, it } from 'vitest';
import type { ActionContext } from '../../src/actions/registry.js';
import type { RunEvent } from '../../src/runbook/events.js';
import { runTasks } from '../../src/actions/tasks.js';
import { withRestoreSubtasks, type SubtaskPlan } from '../../src/actions/restore-tasks.js';

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
        { title: 'pg_restore', until: 'loaded' },
      ],
      async (inner) => {
        inner.stage?.('checked');
        throw new Error('pg_restore: out of disk');
      },
      () => '',
    );

    await expect(failing).rejects.toThrow('out of disk');
    expect(states(events, 'Checksum')).toContain('done');
    expect(states(events, 'pg_restore')).toContain('failed');
  });

  const plan: SubtaskPlan[] = [
    { title: 'Checksum', until: 'checked' },
    { title: 'pg_restore', until: 'loaded' },
    { title: 'Row counts', until: 'done' },
  ];

  it('moves each subtask on when the restore reports its typed stage, and titles the last with the summary', async () => {
    const events: RunEvent[] = [];
    const seen: string[][] = [];
    const result = await withRestoreSubtasks(
      fakeContext(events, []),
      plan,
      async (inner) => {
        inner.stage?.('checked');
        await until(() => states(events, 'Checksum').includes('done'));
        seen.push(states(events, 'pg_restore'));
        inner.stage?.('loaded');
        await until(() => states(events, 'pg_restore').includes('done'));
        seen.push(states(events, 'Row counts'));
        return 16;
      },
      (n) => `${n} table(s) match`,
    );

    expect(result).toBe(16);
    // While the data loads, pg_restore runs and the counts wait; while the counts run, pg_restore is done.
    expect(seen).toEqual([['running'], ['running']]);
    expect(
      events.some(
        (e) => e.type === 'task.updated' && e.title === 'Row counts: 16 table(s) match' && e.state === 'done',
      ),
    ).toBe(true);
  });

  it('shows the same subtasks whatever the restore logs: rewording a log line changes nothing', async () => {
    const run = async (lines: string[]) => {
      const events: RunEvent[] = [];
      await withRestoreSubtasks(
        fakeContext(events, []),
        plan,
        async (inner) => {
          inner.log.info(lines[0]!);
          inner.stage?.('checked');
          await until(() => states(events, 'Checksum').includes('done'));
          inner.log.info(lines[1]!);
          inner.stage?.('loaded');
          await until(() => states(events, 'pg_restore').includes('done'));
          inner.log.info(lines[2]!);
          return 3;
        },
        (n) => `${n} ok`,
      );
      return events.flatMap((e) => (e.type === 'task.updated' ? [`${e.title}: ${e.state}`] : []));
    };
    const old = await run(['Backup checked: 3 entries', 'Restoring into app (1 job(s))…', 'ANALYZE app…']);

    expect(await run(['Archive verified (3 entries)', 'Loading app…', 'Statistics for app…'])).toEqual(old);
    expect(old).toEqual(expect.arrayContaining(['Checksum: done', 'pg_restore: done', 'Row counts: 3 ok: done']));
  });
});

/** Polls for what the listr2 tasks do next (they settle on the microtask queue, not at once). */
async function until(test: () => boolean, timeoutMs = 5_000): Promise<void> {
  for (const started = Date.now(); !test(); await new Promise((r) => setTimeout(r, 5)))
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a subtask to change');
}
