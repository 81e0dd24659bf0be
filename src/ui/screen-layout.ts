import type { PromptRequest } from '../core/prompt.js';
import type { ScreenState } from './run-state.js';
import { buildStepRows, fitRows, type StepRow } from './step-rows.js';
import { textRows } from './format.js';
import { aftermath } from '../runbook/aftermath.js';
import { nextSteps } from '../runbook/next-steps.js';

export interface ScreenLayout {
  steps: StepRow[];
  logLines: number;
}

/** Rows the prompt area takes: its border, the context lines, the question and its choices, wrapped to `columns`. */
export function promptRows(prompt: PromptRequest | undefined, columns: number): number {
  if (!prompt) return 0;
  const inner = columns - 4;
  const wrapped = (lines: string[]) => lines.reduce((n, line) => n + textRows(line, inner), 0);
  const body =
    prompt.kind === 'select'
      ? prompt.choices.length
      : prompt.kind === 'checklist'
        ? wrapped(prompt.items.map((item) => `❯ [ ] ${item}`))
        : prompt.kind === 'type-name'
          ? 2
          : 0;
  return 2 + wrapped(prompt.details ?? []) + textRows(`? ${prompt.message} (y/N) 0/0 done`, inner) + body;
}

/** Rows of the summary at the end (RunSummary): outcome, RTO, RPO, what is left part-way, undo, reports, next steps. */
function summaryRows(state: ScreenState, columns: number): number {
  const end = state.finished!;
  const next = nextSteps(state);
  const lines = [
    ...(end.error ? [end.error] : []),
    ...aftermath(state)
      .filter((t) => !t.complete)
      .map((t) => `! ${t.database}: ${t.state}`),
    ...next.flatMap((n) => [`${n.what}:`, n.command]),
  ];
  return (
    2 +
    (end.rtoMs !== undefined ? 1 : 0) +
    (end.rpoMs !== undefined ? 1 : 0) +
    state.undo.length +
    state.safetySnapshots.length +
    end.reportPaths.length +
    (next.length ? 1 : 0) +
    lines.reduce((n, line) => n + textRows(line, columns), 0)
  );
}

/**
 * Shares the terminal's rows: header, prompt, summary and key line always show; the step list gets what it needs up
 * to the rest, and the log tail (at most 8 lines) takes what is left, or disappears when nothing is.
 */
export function screenLayout(
  state: ScreenState,
  promptHeight: number,
  size: { rows: number; columns: number },
  logView: boolean,
): ScreenLayout {
  const { rows, columns } = size;
  const header = (state.header?.target ? 3 : 2) + 1 + 1;
  const summary = state.finished ? summaryRows(state, columns) : 0;
  const fixed = header + promptHeight + summary + 1;
  const body = Math.max(3, rows - fixed);
  if (logView) return { steps: [], logLines: Math.max(3, body - 1) };
  const room = body - state.progress.length - (state.finishedBars.length ? 1 : 0);
  // The log keeps two rows while the run goes on; a question, or the end of the run, wants the steps in full.
  const steps = fitRows(buildStepRows(state), Math.max(3, room - (promptHeight || state.finished ? 0 : 2)));
  const left = room - steps.length - 1;
  return { steps, logLines: left >= 1 ? Math.min(8, left) : 0 };
}
