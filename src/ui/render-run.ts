import type { RunHandle } from '../runbook/events.js';
import { printRunJson } from './json-printer.js';
import { renderPlain, type PlainOptions } from './plain-renderer.js';
import type { RunRendering } from './rendering.js';
import { renderTui, type TuiOptions } from './render-tui.js';

export type RenderRunOptions =
  | ({ mode: 'tui' } & TuiOptions)
  | ({ mode: 'plain' } & PlainOptions)
  | { mode: 'json'; stdout?: NodeJS.WritableStream };

/** The three subscribers to a run's events; the CLI picks the mode with chooseMode(). */
export function renderRun(handle: RunHandle, options: RenderRunOptions): RunRendering {
  switch (options.mode) {
    case 'tui':
      return renderTui(handle, options);
    case 'plain':
      return renderPlain(handle, options);
    case 'json':
      return printRunJson(handle, options.stdout);
  }
}
