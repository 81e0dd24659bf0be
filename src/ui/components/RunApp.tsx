import { useEffect, useState } from 'react';
import { useApp, useInput } from 'ink';
import type { RunHandle } from '../../runbook/run-handle.js';
import type { PromptQueue } from '../prompt-queue.js';
import type { RunStoreOptions } from '../run-store.js';
import { usePrompt } from '../use-prompt.js';
import { useRunState } from '../use-run-state.js';
import { useTerminalSize } from '../use-terminal-size.js';
import { stopContext, type StopChoice } from '../stop-context.js';
import { RunScreen, type ScreenView } from './RunScreen.js';

interface Props {
  handle: RunHandle;
  prompts: PromptQueue;
  storeOptions?: RunStoreOptions;
}

export type StopRequest = 'suspend' | 'abort';

/** Wires the run's state, the prompt queue and the keys to the screen; drawing is RunScreen's job. */
export function RunApp({ handle, prompts, storeOptions }: Props) {
  const state = useRunState(handle, storeOptions);
  const prompt = usePrompt(prompts);
  const { columns, rows } = useTerminalSize();
  const { exit } = useApp();
  const [view, setView] = useState<ScreenView>('steps');
  const [asking, setAsking] = useState(false);
  const [stopping, setStopping] = useState<StopRequest | undefined>();
  const [searching, setSearching] = useState(false);

  const ask = () => {
    if (!stopping && !state.finished) setAsking(true);
  };
  const choose = (choice: StopChoice) => {
    setAsking(false);
    if (choice === 'suspend') handle.suspend('suspended by the operator');
    if (choice === 'abort') handle.requestAbort();
    if (choice !== 'continue') setStopping(choice);
  };

  // Ctrl-C always asks, a question open or not; the other keys belong to the question or the dialog while one is up.
  useInput((input, key) => {
    if (key.ctrl && input === 'c') ask();
  });
  useInput(
    (input, key) => {
      if (input === '?') setView((v) => (v === 'help' ? 'steps' : 'help'));
      else if (key.escape && view === 'help') setView('steps');
      else if (input === 'l') setView((v) => (v === 'log' ? 'steps' : 'log'));
      else if (input === 'q') ask();
    },
    { isActive: !prompt && !asking && !searching && !state.finished },
  );

  useEffect(() => {
    if (prompt) setView('steps');
  }, [prompt?.id]);

  useEffect(() => {
    // Leave the final frame (summary and report paths) on screen, then hand the terminal back.
    if (state.finished) setTimeout(() => exit(), 0);
  }, [state.finished]);

  return (
    <RunScreen
      state={state}
      view={view}
      prompt={asking ? undefined : prompt}
      onAnswer={(id, answer) => prompts.answer(id, answer)}
      stop={asking ? { context: stopContext(state), onChoose: choose } : undefined}
      stopping={stopping}
      columns={columns}
      rows={rows}
      onSearching={setSearching}
    />
  );
}
