import type { RunHandle } from '../runbook/events.js';
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
  const done = import('./render-tui.js').then((m) => {
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
