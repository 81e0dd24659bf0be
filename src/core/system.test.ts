import { describe, expect, it } from 'vitest';
import { startProcess } from './system.js';
import { Aborted } from './errors.js';
import { goneWithin, processesRunning, uniqueSleep } from '../../test/helpers/processes.js';

/** Waits for the real event: the grandchild is running. */
async function running(argv: string[]): Promise<void> {
  for (let i = 0; i < 200 && processesRunning(argv).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(processesRunning(argv)).toHaveLength(1);
}

describe('startProcess ends the whole process group', () => {
  it('an abort ends the grandchildren too: `sleep` under `sh -c` does not run on', async () => {
    const sleep = uniqueSleep();
    const controller = new AbortController();
    const proc = startProcess('/bin/sh', ['-c', `${sleep.join(' ')}; echo done`], { signal: controller.signal });
    await running(sleep);
    controller.abort(new Aborted());
    expect(await goneWithin(sleep, 5000)).toBe(true);
    await expect(proc.done).rejects.toThrow(/killed by SIGTERM/);
  });

  it('what ignores SIGTERM is killed after the grace period', async () => {
    const sleep = uniqueSleep();
    const controller = new AbortController();
    const proc = startProcess('/bin/sh', ['-c', `trap '' TERM; ${sleep.join(' ')}; echo done`], {
      signal: controller.signal,
      killGraceMs: 300,
    });
    await running(sleep);
    controller.abort(new Aborted());
    expect(await goneWithin(sleep, 5000)).toBe(true);
    await expect(proc.done).rejects.toThrow(/killed by SIGKILL/);
  });
});
