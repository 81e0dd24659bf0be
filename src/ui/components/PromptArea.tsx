import { Box, Text } from 'ink';
import type { PromptAnswer, PromptRequest } from '../../core/prompt.js';
import { ChecklistPrompt } from './prompts/ChecklistPrompt.js';
import { ConfirmPrompt } from './prompts/ConfirmPrompt.js';
import { SelectPrompt } from './prompts/SelectPrompt.js';
import { TextPrompt } from './prompts/TextPrompt.js';
import { TypeNamePrompt } from './prompts/TypeNamePrompt.js';

interface Props {
  request: PromptRequest;
  onAnswer: (promptId: string, answer: PromptAnswer) => void;
  columns: number;
}

function PromptFor({ request, onAnswer, columns }: Props) {
  const answer = (value: PromptAnswer) => onAnswer(request.id, value);
  switch (request.kind) {
    case 'confirm':
      return <ConfirmPrompt request={request} onAnswer={answer} />;
    case 'select':
      return <SelectPrompt request={request} onAnswer={answer} compact={columns < 60} />;
    case 'type-name':
      return <TypeNamePrompt request={request} onAnswer={answer} />;
    case 'text':
      return <TextPrompt request={request} onAnswer={answer} />;
    case 'checklist':
      return <ChecklistPrompt request={request} onAnswer={answer} />;
  }
}

/** Keyed by prompt id so each question starts with a fresh cursor and an empty field. */
export function PromptArea(props: Props) {
  return (
    <Box borderStyle="round" borderColor="cyan" paddingX={1} flexDirection="column">
      {(props.request.details ?? []).map((line, i) => (
        <Text key={`${props.request.id}-${i}`} color="yellow">
          {line}
        </Text>
      ))}
      <PromptFor key={props.request.id} {...props} />
    </Box>
  );
}
