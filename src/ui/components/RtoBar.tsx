import { Box, Text } from 'ink';
import { forecastBar, formatClock } from '../format.js';
import { rtoColour, type Colour } from '../theme.js';

interface Props {
  elapsedMs: number;
  rtoMs?: number;
  /** When the restore under way is predicted to end (run clock): drawn ▒ on the bar and said after it. */
  predictedEndMs?: number;
  columns: number;
}

/**
 * Elapsed time against the RTO budget: green, yellow from 75 %, red once over. A restore's predicted end shows on
 * the bar, and turns it yellow as soon as it crosses 75 % of the budget, before the budget is spent.
 */
export function RtoBar({ elapsedMs, rtoMs, predictedEndMs, columns }: Props) {
  if (!rtoMs) {
    return (
      <Text>
        elapsed {formatClock(elapsedMs)} <Text dimColor>(no RTO set)</Text>
        {predictedEndMs === undefined ? null : <Text> restore ends ~{formatClock(predictedEndMs)}</Text>}
      </Text>
    );
  }
  const fraction = elapsedMs / rtoMs;
  const forecast = predictedEndMs === undefined ? undefined : predictedEndMs / rtoMs;
  const colour = barColour(fraction, forecast);
  const over = elapsedMs > rtoMs;
  const remaining = over ? `over by ${formatClock(elapsedMs - rtoMs)}` : `${formatClock(rtoMs - elapsedMs)} left`;
  const compact = columns < 60;
  const reading = `${formatClock(elapsedMs)} / ${formatClock(rtoMs)}`;
  const room = (tail: string) => columns - reading.length - tail.length - 6;
  const said = predictedEndMs === undefined ? '' : `restore ends ~${formatClock(predictedEndMs)}`;
  // The predicted end is said where it fits beside a bar of 10; the ▒ on the bar shows it anyway.
  const ends = !compact && said && room(` ${remaining} · ${said}`) >= 10 ? said : '';
  const tail = compact ? (over ? ' OVER' : '') : ` ${remaining}${ends ? ` · ${ends}` : ''}`;
  const width = Math.max(5, Math.min(30, room(tail)));
  return (
    <Box>
      <Text>RTO </Text>
      <Text color={colour}>{forecastBar(fraction, forecast ?? 0, width)}</Text>
      <Text> {reading}</Text>
      {compact ? null : <Text color={colour}> {remaining}</Text>}
      {ends ? <Text color={forecastColour(forecast!)}> · {ends}</Text> : null}
      {compact && over ? <Text color={colour}> OVER</Text> : null}
    </Box>
  );
}

/** The elapsed time's colour, raised to yellow when the prediction crosses 75 % of the budget. */
function barColour(fraction: number, forecast: number | undefined): Colour {
  const now = rtoColour(fraction);
  return now === 'green' && forecast !== undefined && forecast >= 0.75 ? 'yellow' : now;
}

function forecastColour(forecast: number): Colour {
  return forecast >= 0.75 ? 'yellow' : 'green';
}
