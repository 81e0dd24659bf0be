import { afterEach } from 'vitest';
import { createInkPrompter, PromptQueue } from '../../src/ui/prompt-queue.js';
import { renderRun } from '../../src/ui/render-run.js';
import { createTerminal } from '../render.js';
import { FakeRun, started } from './fake-run.js';

/** The run screen as an operator sees it: a fake run, a fresh prompt queue and a fake 80×24 terminal. */
export async function mountTui(size: { columns?: number; rows?: number } = {}) {
  const run = new FakeRun();
  run.emit(started);
  const terminal = createTerminal(size);
  const prompter = createInkPrompter(new PromptQueue());
  const rendering = renderRun(run, {
    mode: 'tui',
    stdout: terminal.stdout,
    stdin: terminal.stdin,
    stderr: terminal.stderr,
    prompter,
    debug: true,
  });
  await terminal.waitFor('Complete database loss');
  const signal = new AbortController().signal;
  return { run, terminal, prompter, rendering, signal };
}

/** Settles a promise into a value the test can inspect without awaiting forever. */
export function track<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: unknown) => Object.assign(state, { error, settled: true }),
  );
  return state;
}

/** A test file's way to mount the screen: each test's screen is taken down after it. */
export function tuiPerTest() {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());
  return async (size?: { columns?: number; rows?: number }) => {
    const tui = await mountTui(size);
    stop = () => tui.rendering.stop();
    return tui;
  };
}
