import { Text, useInput } from 'ink';
import type { PromptRequest } from '../../../core/prompt.js';

type Request = Extract<PromptRequest, { kind: 'confirm' }>;

export function ConfirmPrompt({ request, onAnswer }: { request: Request; onAnswer: (answer: boolean) => void }) {
  useInput((input, key) => {
    // "y" and its enter may come in one chunk over a slow link.
    const typed = input.replace(/[\r\n]+$/, '');
    if (typed === 'y' || typed === 'Y') onAnswer(true);
    else if (typed === 'n' || typed === 'N') onAnswer(false);
    else if (key.return && request.default !== undefined) onAnswer(request.default);
  });
  const choices = request.default === undefined ? '(y/n)' : request.default ? '(Y/n)' : '(y/N)';
  return (
    <Text>
      <Text color="cyan">? </Text>
      <Text bold>{request.message}</Text> <Text dimColor>{choices}</Text>
    </Text>
  );
}
