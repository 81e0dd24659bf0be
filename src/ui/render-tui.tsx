import { render, type RenderOptions } from 'ink';
import type { RunHandle } from '../runbook/run-handle.js';
import { RunApp } from './components/RunApp.js';
import { defaultPromptQueue, type InkPrompter } from './prompt-queue.js';
import type { RunRendering } from './rendering.js';
import type { RunStoreOptions } from './run-store.js';
import { applyNoColor } from './theme.js';

export interface TuiOptions {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  /** The prompter given to the engine; its questions appear in the prompt area. Defaults to createInkPrompter()'s queue. */
  prompter?: InkPrompter;
  /** Tests: every frame written whole, no terminal escape tricks. */
  debug?: boolean;
  /** Ink routes console.* above the screen by default; tests running under a patched console turn it off. */
  patchConsole?: boolean;
  store?: RunStoreOptions;
}

export function inkOptions(options: TuiOptions): RenderOptions {
  return {
    // Ink spreads these over its defaults, so an explicit undefined would replace process.stdout.
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
    debug: options.debug ?? false,
    patchConsole: options.patchConsole ?? true,
    exitOnCtrlC: false,
    maxFps: 10,
  };
}

/** Mounts the run screen; only Ink reads stdin while it is up. `done` resolves once the final frame is on screen. */
export function renderTui(handle: RunHandle, options: TuiOptions = {}): RunRendering {
  applyNoColor();
  const app = (
    <RunApp handle={handle} prompts={options.prompter?.queue ?? defaultPromptQueue} storeOptions={options.store} />
  );
  const instance = render(app, inkOptions(options));
  const done = instance.waitUntilExit().then(() => undefined);
  return { done, stop: () => instance.unmount() };
}
