import { Box } from 'ink';
import type { PromptAnswer, PromptRequest } from '../../runbook/events.js';
import { elapsedMs, type RunState } from '../run-state.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { KeyLine } from './KeyLine.js';
import { LogPane } from './LogPane.js';
import { ProgressBars } from './ProgressBars.js';
import { PromptArea } from './PromptArea.js';
import { RunSummary } from './RunSummary.js';
import { StepList } from './StepList.js';

export type ScreenView = 'steps' | 'log' | 'help';

interface Props {
  state: RunState;
  view: ScreenView;
  prompt?: PromptRequest;
  onAnswer: (promptId: string, answer: PromptAnswer) => void;
  abortRequested: boolean;
  columns: number;
  rows: number;
}

/** Rows the step view needs besides the log tail, so the tail fills what is left of the terminal. */
function rowsUsed(state: RunState, prompt: PromptRequest | undefined): number {
  let used = 4 + (state.header?.target ? 1 : 0) + state.phases.length + state.progress.length;
  for (const phase of state.phases) {
    if (phase.status === 'running' || phase.steps.some((s) => s.status === 'running' || s.status === 'failed')) used += phase.steps.length;
  }
  used += state.currentStepId ? (state.tasks[state.currentStepId]?.length ?? 0) : 0;
  if (prompt) used += 4 + (prompt.kind === 'select' ? prompt.choices.length : prompt.kind === 'checklist' ? prompt.items.length : 1);
  if (state.result) used += 4 + state.result.reportPaths.length + state.undo.length;
  return used;
}

export function RunScreen({ state, view, prompt, onAnswer, abortRequested, columns, rows }: Props) {
  const width = Math.max(20, columns);
  const logLines = view === 'log' ? Math.max(3, rows - 6 - (prompt ? 6 : 0)) : Math.min(8, Math.max(1, rows - rowsUsed(state, prompt)));
  return (
    <Box flexDirection="column" width={width}>
      <Header header={state.header} resumed={state.resumed} elapsedMs={elapsedMs(state)} columns={width} />
      <Box flexDirection="column" marginTop={1}>
        {view === 'help' ? <HelpOverlay /> : null}
        {view === 'steps' ? (
          <>
            <StepList phases={state.phases} now={state.now} tasks={state.currentStepId ? (state.tasks[state.currentStepId] ?? []) : []} currentStepId={state.currentStepId} />
            <ProgressBars progress={state.progress} columns={width} />
          </>
        ) : null}
        {view !== 'help' ? (
          <Box marginTop={view === 'steps' ? 1 : 0}>
            <LogPane logs={state.logs} lines={logLines} columns={width} title={view === 'log' ? `log (${state.logs.length} lines)` : undefined} />
          </Box>
        ) : null}
      </Box>
      {prompt ? <PromptArea request={prompt} onAnswer={onAnswer} columns={width} /> : null}
      {state.result ? <RunSummary result={state.result} undo={state.undo} /> : null}
      <KeyLine prompt={prompt} abortRequested={abortRequested} finished={Boolean(state.result)} logView={view === 'log'} />
    </Box>
  );
}
