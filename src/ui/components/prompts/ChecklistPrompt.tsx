import { Box, Text } from 'ink';
import type { PromptRequest } from '../../../core/prompt.js';
import { useLiveState } from './use-live-state.js';
import { useKeys } from './use-keys.js';

type Request = Extract<PromptRequest, { kind: 'checklist' }>;

/** Manual steps: space ticks the item under the cursor, enter submits the ticked items. */
export function ChecklistPrompt({ request, onAnswer }: { request: Request; onAnswer: (answer: string[]) => void }) {
  const [index, currentIndex, setIndex] = useLiveState(0);
  const [ticked, currentTicked, setTicked] = useLiveState<ReadonlySet<number>>(
    new Set(request.items.flatMap((item, i) => (request.checked?.includes(item) ? [i] : []))),
  );
  const count = request.items.length;
  useKeys((input, key) => {
    if (key.upArrow) setIndex((currentIndex() - 1 + count) % count);
    else if (key.downArrow) setIndex((currentIndex() + 1) % count);
    else if (input === ' ') {
      const next = new Set(currentTicked());
      if (next.has(currentIndex())) next.delete(currentIndex());
      else next.add(currentIndex());
      setTicked(next);
    } else if (key.return) {
      const done = currentTicked();
      onAnswer(request.items.filter((_item, i) => done.has(i)));
      return true;
    }
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
        <Box key={`${i}-${item}`}>
          <Box width={6} flexShrink={0}>
            <Text color={i === index ? 'cyan' : undefined}>
              {i === index ? '❯ ' : '  '}
              {ticked.has(i) ? '[x]' : '[ ]'}
            </Text>
          </Box>
          {/* A long item wraps under itself rather than being cut off at 80 columns. */}
          <Text color={i === index ? 'cyan' : undefined} wrap="wrap">
            {item}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
