import { Text } from 'ink';
import { useKeys } from './use-keys.js';
import type { PromptRequest } from '../../../core/prompt.js';

type Request = Extract<PromptRequest, { kind: 'confirm' }>;

export function ConfirmPrompt({ request, onAnswer }: { request: Request; onAnswer: (answer: boolean) => void }) {
  useKeys((input, key) => {
    const answer =
      input === 'y' || input === 'Y'
        ? true
        : input === 'n' || input === 'N'
          ? false
          : key.return
            ? request.default
            : undefined;
    if (answer === undefined) return false;
    onAnswer(answer);
    return true;
  });
  const choices = request.default === undefined ? '(y/n)' : request.default ? '(Y/n)' : '(y/N)';
  return (
    <Text>
      <Text color="cyan">? </Text>
      <Text bold>{request.message}</Text> <Text dimColor>{choices}</Text>
    </Text>
  );
}
