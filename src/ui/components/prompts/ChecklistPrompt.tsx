import { useState } from 'react';
import { Box, Text, useInput } from 'ink';
import type { PromptRequest } from '../../../runbook/events.js';

type Request = Extract<PromptRequest, { kind: 'checklist' }>;

/** Manual steps: space ticks the item under the cursor, enter submits the ticked items. */
export function ChecklistPrompt({ request, onAnswer }: { request: Request; onAnswer: (answer: string[]) => void }) {
  const [index, setIndex] = useState(0);
  const [ticked, setTicked] = useState<ReadonlySet<number>>(new Set());
  const count = request.items.length;
  useInput((input, key) => {
    if (key.upArrow) setIndex((i) => (i - 1 + count) % count);
    else if (key.downArrow) setIndex((i) => (i + 1) % count);
    else if (input === ' ') {
      setTicked((current) => {
        const next = new Set(current);
        if (next.has(index)) next.delete(index);
        else next.add(index);
        return next;
      });
    } else if (key.return) onAnswer(request.items.filter((_item, i) => ticked.has(i)));
  });
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="cyan">? </Text>
        <Text bold>{request.message}</Text>
        <Text dimColor>
          {' '}
          {ticked.size}/{count} done
        </Text>
      </Text>
      {request.items.map((item, i) => (
        <Text key={`${i}-${item}`} color={i === index ? 'cyan' : undefined} wrap="truncate-end">
          {i === index ? '❯ ' : '  '}
          {ticked.has(i) ? '[x] ' : '[ ] '}
          {item}
        </Text>
      ))}
    </Box>
  );
}
