import { Text } from 'ink';
import type { PromptRequest } from '../../../core/prompt.js';
import { useTextInput } from './use-text-input.js';

type Request = Extract<PromptRequest, { kind: 'text' }>;

export function TextPrompt({ request, onAnswer }: { request: Request; onAnswer: (answer: string) => void }) {
  const value = useTextInput((typed) =>
    onAnswer(typed === '' && request.default !== undefined ? request.default : typed),
  );
  return (
    <Text>
      <Text color="cyan">? </Text>
      <Text bold>{request.message}</Text>
      {request.default !== undefined ? <Text dimColor> ({request.default})</Text> : null} {value}
      <Text inverse> </Text>
    </Text>
  );
}
