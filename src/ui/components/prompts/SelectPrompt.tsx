import { Box, Text } from 'ink';
import type { PromptRequest } from '../../../core/prompt.js';
import { useLiveState } from './use-live-state.js';
import { useKeys } from './use-keys.js';

type Request = Extract<PromptRequest, { kind: 'select' }>;

export function SelectPrompt({
  request,
  onAnswer,
  compact,
}: {
  request: Request;
  onAnswer: (answer: string) => void;
  compact: boolean;
}) {
  const [index, currentIndex, setIndex] = useLiveState(0);
  const count = request.choices.length;
  useKeys((_input, key) => {
    if (key.upArrow) setIndex((currentIndex() - 1 + count) % count);
    else if (key.downArrow) setIndex((currentIndex() + 1) % count);
    else if (key.return) {
      const choice = request.choices[currentIndex()];
      if (choice) onAnswer(choice.value);
      return true;
    }
  });
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="cyan">? </Text>
        <Text bold>{request.message}</Text>
      </Text>
      {request.choices.map((choice, i) => (
        <Text key={choice.value} color={i === index ? 'cyan' : undefined} wrap="truncate-end">
          {i === index ? '❯ ' : '  '}
          {choice.label}
          {choice.hint && !compact ? <Text dimColor>{`  ${choice.hint}`}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
