import type { PromptRequest } from '../core/prompt.js';
import type { ScreenState } from './run-state.js';
import { buildStepRows, fitRows, type StepRow } from './step-rows.js';

export interface ScreenLayout {
  steps: StepRow[];
  logLines: number;
}

function promptRows(prompt: PromptRequest | undefined): number {
  if (!prompt) return 0;
  const body =
    prompt.kind === 'select'
      ? prompt.choices.length + 1
      : prompt.kind === 'checklist'
        ? prompt.items.length + 1
        : prompt.kind === 'type-name'
          ? 3
          : 1;
  return body + 2;
}

/**
 * Shares the terminal's rows: header, prompt, summary and key line always show; the step list gets what it needs up
 * to the rest, and the log tail (at most 8 lines) takes what is left, or disappears when nothing is.
 */
export function screenLayout(
  state: ScreenState,
  prompt: PromptRequest | undefined,
  rows: number,
  logView: boolean,
): ScreenLayout {
  const header = (state.header?.target ? 3 : 2) + 1 + 1;
  const summary = state.finished
    ? 2 +
      (state.finished.error ? 1 : 0) +
      (state.finished.rtoMs !== undefined ? 1 : 0) +
      (state.finished.rpoMs !== undefined ? 1 : 0) +
      state.undo.length +
      state.finished.reportPaths.length
    : 0;
  const fixed = header + promptRows(prompt) + summary + 1;
  const body = Math.max(3, rows - fixed);
  if (logView) return { steps: [], logLines: Math.max(3, body - 1) };
  const room = body - state.progress.length;
  const steps = fitRows(buildStepRows(state), Math.max(3, room - (prompt ? 0 : 2)));
  const left = room - steps.length - 1;
  return { steps, logLines: left >= 1 ? Math.min(8, left) : 0 };
}
