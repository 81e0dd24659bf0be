import { Box } from 'ink';
import type { PromptAnswer, PromptRequest } from '../../core/prompt.js';
import { elapsedMs, predictedEndMs, type ScreenState } from '../run-state.js';
import { promptRows, screenLayout } from '../screen-layout.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { KeyLine } from './KeyLine.js';
import { LogPane } from './LogPane.js';
import { LogView } from './LogView.js';
import { ProgressBars } from './ProgressBars.js';
import { PromptArea } from './PromptArea.js';
import { RunSummary } from './RunSummary.js';
import { StepList } from './StepList.js';
import { StopDialog, stopDialogRows } from './StopDialog.js';
import type { StopChoice, StopContext } from '../stop-context.js';

export type ScreenView = 'steps' | 'log' | 'help';

interface Props {
  state: ScreenState;
  view: ScreenView;
  prompt?: PromptRequest;
  onAnswer: (promptId: string, answer: PromptAnswer) => void;
  /** The stop dialog, while it is open (it takes the question's place). */
  stop?: { context: StopContext; onChoose: (choice: StopChoice) => void };
  /** What the operator chose in it, while the engine stops. */
  stopping?: 'suspend' | 'abort';
  columns: number;
  rows: number;
  /** The full log's search field is open: the screen's keys are letters until it closes. */
  onSearching?: (searching: boolean) => void;
}

export function RunScreen({
  state,
  view: chosen,
  prompt,
  onAnswer,
  stop,
  stopping,
  columns,
  rows,
  onSearching = () => {},
}: Props) {
  // The last frame stays on the terminal after exit, so it always shows the steps and the summary.
  const view = state.finished ? 'steps' : chosen;
  const width = Math.max(20, columns);
  const promptHeight = stop ? stopDialogRows(stop.context, width) : promptRows(prompt, width);
  const layout = screenLayout(state, promptHeight, { rows, columns: width }, view === 'log');
  return (
    <Box flexDirection="column" width={width}>
      <Header
        header={state.header}
        resumed={state.resumed}
        elapsedMs={elapsedMs(state)}
        predictedEndMs={predictedEndMs(state)}
        columns={width}
      />
      <Box flexDirection="column" marginTop={1}>
        {view === 'help' ? <HelpOverlay /> : null}
        {view === 'steps' ? (
          <>
            <StepList rows={layout.steps} />
            <ProgressBars progress={state.progress} finished={state.finishedBars} columns={width} />
          </>
        ) : null}
        {view === 'log' ? (
          <LogView logs={state.logs} rows={layout.logLines + 1} columns={width} onSearching={onSearching} />
        ) : null}
        {view === 'steps' && layout.logLines > 0 ? (
          <Box marginTop={1}>
            <LogPane logs={state.logs} lines={layout.logLines} columns={width} />
          </Box>
        ) : null}
      </Box>
      {stop ? <StopDialog context={stop.context} onChoose={stop.onChoose} columns={width} /> : null}
      {prompt && !stop ? <PromptArea request={prompt} onAnswer={onAnswer} columns={width} /> : null}
      {state.finished ? <RunSummary state={state} result={state.finished} /> : null}
      <KeyLine
        prompt={prompt}
        dialog={Boolean(stop)}
        stopping={stopping}
        finished={Boolean(state.finished)}
        logView={view === 'log'}
      />
    </Box>
  );
}
