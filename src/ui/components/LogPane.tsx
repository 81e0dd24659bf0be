import { Box, Text } from 'ink';
import { formatTimeOfDay } from '../format.js';
import type { LogLine } from '../run-state.js';

const levelColour = { debug: 'gray', info: undefined, warn: 'yellow', error: 'red' } as const;
const levelMark = { debug: '·', info: ' ', warn: '!', error: '✖' } as const;

/** The last `lines` log lines, one screen row each; narrow terminals drop the timestamps. */
export function LogPane({
  logs,
  lines,
  columns,
  title,
}: {
  logs: LogLine[];
  lines: number;
  columns: number;
  title?: string;
}) {
  if (lines <= 0) return null;
  const tail = logs.slice(-lines);
  const compact = columns < 60;
  return (
    <Box flexDirection="column">
      {title ? <Text dimColor>{title}</Text> : null}
      {tail.length === 0 ? <Text dimColor>no output yet</Text> : null}
      {tail.map((line, i) => (
        <Text key={`${line.at}-${i}`} color={levelColour[line.level]} wrap="truncate-end">
          {compact ? '' : `${formatTimeOfDay(line.at)} `}
          {levelMark[line.level]} {line.message}
        </Text>
      ))}
    </Box>
  );
}
