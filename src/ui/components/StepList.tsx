import { Box, Text } from 'ink';
import type { StepRow } from '../step-rows.js';
import { stepColour, stepSymbol, taskColour, taskSymbol } from '../theme.js';

function Line({
  symbol,
  colour,
  indent,
  title,
  time,
  bold,
  dim,
  note,
}: {
  symbol: string;
  colour: string;
  indent: number;
  title: string;
  time?: string;
  bold?: boolean;
  dim?: boolean;
  /** A warning in yellow after the title, on the same line. */
  note?: string;
}) {
  return (
    <Box>
      <Box flexShrink={0}>
        <Text color={colour}>{`${' '.repeat(indent)}${symbol} `}</Text>
      </Box>
      <Box flexGrow={1}>
        <Text wrap="truncate-end" bold={bold} dimColor={dim}>
          {title}
          {note ? <Text color="yellow" bold={false}>{`  ↷ ${note}`}</Text> : null}
        </Text>
      </Box>
      {time ? (
        <Box flexShrink={0}>
          <Text dimColor> {time}</Text>
        </Box>
      ) : null}
    </Box>
  );
}

function Row({ row }: { row: StepRow }) {
  switch (row.kind) {
    case 'phase':
      return (
        <Line
          symbol={stepSymbol[row.status]}
          colour={stepColour[row.status]}
          indent={0}
          title={row.title}
          time={row.time}
          note={row.note}
          bold
        />
      );
    case 'step':
      return (
        <Line
          symbol={stepSymbol[row.status]}
          colour={stepColour[row.status]}
          indent={2}
          title={row.title}
          time={row.time}
          bold={row.status === 'running'}
        />
      );
    case 'task':
      return (
        <Line
          symbol={taskSymbol[row.state]}
          colour={taskColour[row.state]}
          indent={6 + row.depth * 2}
          title={row.title}
          dim={row.state === 'pending' || row.state === 'skipped'}
        />
      );
    case 'error':
    case 'hint':
    case 'reason':
      return (
        <Text color={row.kind === 'error' ? 'red' : 'yellow'} wrap="truncate-end">
          {'    '}
          {row.text}
        </Text>
      );
    case 'more':
      return <Text dimColor>{`  ⋯ ${row.count} more`}</Text>;
  }
}

/** Phases, their steps and the running step's subtasks, already fitted to the room there is (see step-rows.ts). */
export function StepList({ rows }: { rows: StepRow[] }) {
  return (
    <Box flexDirection="column">
      {rows.map((row) => (
        <Row key={row.key} row={row} />
      ))}
    </Box>
  );
}
