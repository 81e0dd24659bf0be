import { useState } from 'react';
import { Box, Text } from 'ink';
import type { PromptRequest } from '../../../core/prompt.js';
import { useTextInput } from './use-text-input.js';

type Request = Extract<PromptRequest, { kind: 'type-name' }>;

/** Destructive steps: only the exact name is accepted; anything else is refused and the field stays open. */
export function TypeNamePrompt({
  request,
  onAnswer,
  verb = 'continue',
}: {
  request: Request;
  onAnswer: (answer: string) => void;
  /** What typing the name does: "Type app to continue". */
  verb?: string;
}) {
  const [refused, setRefused] = useState<string | undefined>();
  const value = useTextInput(
    (typed) => (typed === request.expected ? onAnswer(typed) : setRefused(typed)),
    () => setRefused(undefined),
  );
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="red">! </Text>
        <Text bold>{request.message}</Text>
      </Text>
      <Text>
        Type <Text bold>{request.expected}</Text> to {verb}: {value}
        <Text inverse> </Text>
      </Text>
      {refused !== undefined ? (
        <Text color="red" wrap="truncate-end">
          ✖ "{refused}" does not match; type exactly {request.expected}
        </Text>
      ) : null}
    </Box>
  );
}
