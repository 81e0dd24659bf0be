import { useState } from 'react';
import { Box, Text, useInput } from 'ink';
import type { PromptRequest } from '../../core/prompt.js';
import type { StopChoice, StopContext } from '../stop-context.js';
import { promptRows } from '../screen-layout.js';
import { SelectPrompt } from './prompts/SelectPrompt.js';
import { TypeNamePrompt } from './prompts/TypeNamePrompt.js';

/** The choices, Keep going first: a stray q followed by enter must not stop a recovery. */
export function stopQuestion(context: StopContext): Extract<PromptRequest, { kind: 'select' }> {
  return {
    kind: 'select',
    id: 'stop',
    message: 'Stop the run?',
    choices: [
      { value: 'continue', label: 'Keep going' },
      ...(context.resumable
        ? [{ value: 'suspend', label: 'Suspend: stop here and leave everything as it is, to resume later' }]
        : []),
      { value: 'abort', label: 'Abort: stop for good, then offer to undo what the run switched on' },
    ],
  };
}

function nameQuestion(change: NonNullable<StopContext['destructive']>): Extract<PromptRequest, { kind: 'type-name' }> {
  return {
    kind: 'type-name',
    id: 'stop.confirm',
    message: `"${change.stepTitle}" is changing ${change.database} (${change.what}): stopping now leaves it only partly ${change.what}.`,
    expected: change.database,
  };
}

/** Rows the dialog takes: the question, its choices and, for a run that can be resumed, the command that resumes it. */
export function stopDialogRows(context: StopContext, columns: number): number {
  return promptRows(stopQuestion(context), columns) + (context.resumable ? 2 : 0) + (context.destructive ? 3 : 0);
}

/** q or ctrl-c: Keep going, Suspend or Abort; esc keeps going. Stopping a change in place needs the name typed. */
export function StopDialog({
  context,
  onChoose,
  columns,
}: {
  context: StopContext;
  onChoose: (choice: StopChoice) => void;
  columns: number;
}) {
  const [chosen, setChosen] = useState<StopChoice | undefined>();
  useInput((_input, key) => {
    if (key.escape) onChoose('continue');
  });
  const pick = (value: string) => {
    const choice = value as StopChoice;
    if (choice !== 'continue' && context.destructive) setChosen(choice);
    else onChoose(choice);
  };
  return (
    <Box borderStyle="round" borderColor="yellow" paddingX={1} flexDirection="column">
      {chosen && context.destructive ? (
        <>
          <TypeNamePrompt
            request={nameQuestion(context.destructive)}
            onAnswer={() => onChoose(chosen)}
            verb={chosen === 'abort' ? 'abort' : 'suspend'}
          />
          <Text dimColor>esc keep going</Text>
        </>
      ) : (
        <>
          <SelectPrompt request={stopQuestion(context)} onAnswer={pick} compact={columns < 60} />
          {context.resumable ? <Text dimColor>A suspended run goes on with:</Text> : null}
          {context.resumable ? <Text>pgdr run --resume {context.runId}</Text> : null}
        </>
      )}
    </Box>
  );
}
