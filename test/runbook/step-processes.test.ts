import { describe, expect, it } from 'vitest';
import { createRun } from '../../src/runbook/engine.js';
import { loadRunbookText } from '../../src/runbook/loader.js';
import { goneWithin, processesRunning, uniqueSleep } from '../helpers/processes.js';
import { scripted, tempDir, testActions } from './helpers.js';

const header = `id: t\ntitle: Test runbook\nseverity: low\nrto: 1h\nrpo: 24h\n`;

function sleepingRun(sleep: string[], timeout: string) {
  const actions = testActions();
  const yaml = `${header}phases:
  - id: a
    title: A
    steps:
      - { id: hook, title: Hook, action: shell, timeout: ${timeout}, with: { command: "${sleep.join(' ')}; echo done" } }
`;
  return createRun({
    runbook: loadRunbookText(yaml, 'test.yaml', actions),
    mode: 'drill',
    prompter: scripted(),
    runsDir: tempDir(),
    actions,
  });
}

describe('a step that stops leaves nothing running', () => {
  it('a shell step `sleep 47; echo done` with timeout: 1s is reported timed out and its sleep is gone', async () => {
    const sleep = uniqueSleep();
    const run = sleepingRun(sleep, '1s');
    const result = await run.start();
    expect(result.status).toBe('failed');
    expect(run.history().find((e) => e.type === 'step.finished' && e.phaseId !== 'preflight')).toMatchObject({
      status: 'failed',
      error: 'Step hook timed out after 1.0s.',
    });
    expect(await goneWithin(sleep, 5000)).toBe(true);
  });

  it('an abort during the step ends its sleep too', async () => {
    const sleep = uniqueSleep();
    const run = sleepingRun(sleep, '1h');
    const poll = setInterval(() => {
      if (processesRunning(sleep).length > 0) {
        clearInterval(poll);
        run.requestAbort();
      }
    }, 25);
    const result = await run.start();
    clearInterval(poll);
    expect(result.status).toBe('aborted');
    expect(await goneWithin(sleep, 5000)).toBe(true);
  });
});
