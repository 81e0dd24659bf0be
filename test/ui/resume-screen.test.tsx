import { afterEach, describe, expect, it } from 'vitest';
import { createRun, resumeRun } from '../../src/runbook/engine.js';
import { createInkPrompter, PromptQueue } from '../../src/ui/prompt-queue.js';
import { renderRun } from '../../src/ui/render-run.js';
import { createTerminal } from '../render.js';
import { scripted, tempDir, testActions } from '../runbook/helpers.js';
import { loadRunbookText } from '../../src/runbook/loader.js';

let stop: (() => void) | undefined;
afterEach(() => stop?.());

const TEN_MINUTES = 10 * 60_000;

describe('the screen of a resumed run', () => {
  it('shows the phases done before as done and the RTO clock running from the first start', async () => {
    const actions = testActions();
    const runbook = loadRunbookText(
      `id: t\ntitle: Resumed runbook\nseverity: low\nrto: 1h\nrpo: 1h\nphases:
  - id: first
    title: First phase
    steps:
      - { id: one, title: One, action: test.echo }
  - id: second
    title: Second phase
    steps:
      - { id: slow, title: Slow, action: test.slow, with: { ms: 10000 } }
`,
      't.yaml',
      actions,
    );
    const runsDir = tempDir();
    // The first attempt began ten minutes ago and was suspended (a hang-up) in its second phase.
    const past = { now: () => Date.now() - TEN_MINUTES };
    const first = createRun({ runbook, mode: 'drill', prompter: scripted(), runsDir, actions, clock: past });
    first.subscribe((e) => {
      if (e.type === 'step.started' && e.stepId === 'slow') setTimeout(() => first.suspend('SIGHUP'), 20);
    });
    expect((await first.start()).status).toBe('suspended');

    const prompter = createInkPrompter(new PromptQueue());
    const resumed = resumeRun(first.runId, { runsDir, prompter, actions });
    const terminal = createTerminal();
    const rendering = renderRun(resumed, { mode: 'tui', ...terminal, prompter, debug: true });
    stop = () => {
      resumed.suspend('test over');
      rendering.stop();
    };
    const running = resumed.start();
    const frame = await terminal.waitFor((f) => f.includes('▶ Second phase'));
    expect(frame).toContain('✔ First phase');
    expect(frame).toMatch(/RTO .* (10|11):\d\d \/ 1:00:00/);
    expect(frame).toContain('(resumed)');
    resumed.suspend('test over');
    await running;
  });
});
