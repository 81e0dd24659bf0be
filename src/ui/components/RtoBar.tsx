import { Box, Text } from 'ink';
import { bar, formatClock } from '../format.js';
import { rtoColour } from '../theme.js';

interface Props {
  elapsedMs: number;
  rtoMs?: number;
  columns: number;
}

/** Elapsed time against the RTO budget: green, yellow from 75 %, red once over. */
export function RtoBar({ elapsedMs, rtoMs, columns }: Props) {
  if (!rtoMs) {
    return (
      <Text>
        elapsed {formatClock(elapsedMs)} <Text dimColor>(no RTO set)</Text>
      </Text>
    );
  }
  const fraction = elapsedMs / rtoMs;
  const colour = rtoColour(fraction);
  const over = elapsedMs > rtoMs;
  const remaining = over ? `over by ${formatClock(elapsedMs - rtoMs)}` : `${formatClock(rtoMs - elapsedMs)} left`;
  const compact = columns < 60;
  const reading = `${formatClock(elapsedMs)} / ${formatClock(rtoMs)}`;
  const width = Math.max(5, Math.min(30, columns - reading.length - remaining.length - 8));
  return (
    <Box>
      <Text>RTO </Text>
      <Text color={colour}>{bar(fraction, width)}</Text>
      <Text> {reading}</Text>
      {compact ? null : <Text color={colour}> {remaining}</Text>}
      {compact && over ? <Text color={colour}> OVER</Text> : null}
    </Box>
  );
}
