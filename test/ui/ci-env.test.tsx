import { afterEach, expect, it, vi } from 'vitest';
import { createInkPrompter, PromptQueue } from '../../src/ui/prompt-queue.js';
import { renderRun } from '../../src/ui/render-run.js';
import { createTerminal } from './terminal.js';
import { FakeRun, started } from './fake-run.js';

// Its own file, importing nothing that loads Ink: Ink reads CI once, when it is first imported.
const savedCi = vi.hoisted(() => {
  const saved = process.env.CI;
  process.env.CI = 'true';
  return saved;
});
afterEach(() => {
  if (savedCi === undefined) delete process.env.CI;
  else process.env.CI = savedCi;
});

it('draws live frames on a terminal even with CI=true, and leaves CI as it was', async () => {
  const run = new FakeRun();
  run.emit(started);
  const terminal = createTerminal({ isTTY: true });
  const rendering = renderRun(run, {
    mode: 'tui',
    stdout: terminal.stdout,
    stdin: terminal.stdin,
    stderr: terminal.stderr,
    prompter: createInkPrompter(new PromptQueue()),
    patchConsole: false,
  });
  try {
    const deadline = Date.now() + 5000;
    while (!terminal.rawFrames().join('').includes('Complete database loss') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(terminal.rawFrames().join('')).toContain('Complete database loss');
    expect(process.env.CI).toBe('true');
  } finally {
    rendering.stop();
  }
});
