import type { RunHandle } from '../runbook/run-handle.js';
import { printRunJson } from './json-printer.js';
import { renderPlain, type PlainOptions } from './plain-renderer.js';
import type { RunRendering } from './rendering.js';
import type { TuiOptions } from './render-tui.js';

export type RenderRunOptions =
  | ({ mode: 'tui' } & TuiOptions)
  | ({ mode: 'plain' } & PlainOptions)
  | { mode: 'json'; stdout?: NodeJS.WritableStream };

/** The three subscribers to a run's events; the CLI picks the mode with chooseMode(). */
export function renderRun(handle: RunHandle, options: RenderRunOptions): RunRendering {
  switch (options.mode) {
    case 'tui':
      return renderTuiLazily(handle, options);
    case 'plain':
      return renderPlain(handle, options);
    case 'json':
      return printRunJson(handle, options.stdout);
  }
}

/** Ink takes about a second to load on a busy host; plain and JSON runs, and every other command, never pay for it. */
function renderTuiLazily(handle: RunHandle, options: TuiOptions): RunRendering {
  let stopped = false;
  let mounted: RunRendering | undefined;
  const done = loadTui(options.stdout ?? process.stdout).then((m) => {
    if (stopped) return;
    mounted = m.renderTui(handle, options);
    return mounted.done;
  });
  return {
    done,
    stop: () => {
      stopped = true;
      mounted?.stop();
    },
  };
}

/**
 * Ink decides at import time that a CI variable means "no live redraws" and then shows nothing until the end; on a
 * real terminal (a tmux end-to-end test under CI, an operator with CI=1 exported) the screen must stay live.
 */
async function loadTui(stdout: { isTTY?: boolean }): Promise<typeof import('./render-tui.js')> {
  const keys = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
  const saved = keys.map((key) => process.env[key]);
  if (stdout.isTTY) for (const key of keys) delete process.env[key];
  try {
    return await import('./render-tui.js');
  } finally {
    keys.forEach((key, i) => {
      const value = saved[i];
      if (value !== undefined) process.env[key] = value;
    });
  }
}
