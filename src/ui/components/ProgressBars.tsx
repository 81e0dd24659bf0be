import { Box, Text } from 'ink';
import { bar, formatAmount, formatClock, formatRate } from '../format.js';
import { progressStats } from '../progress-math.js';
import type { ProgressView } from '../run-state.js';

/** One line per progress label: bar, amount, rate and ETA; narrow terminals keep the bar and the amount. */
export function ProgressBars({
  progress,
  finished = [],
  columns,
}: {
  progress: ProgressView[];
  /** Stages done (or left behind by the next): one dim line. */
  finished?: ProgressView[];
  columns: number;
}) {
  if (progress.length === 0 && finished.length === 0) return null;
  const compact = columns < 60;
  return (
    <Box flexDirection="column">
      {finished.length ? (
        <Text dimColor wrap="truncate-end">
          {finished.map((p) => `✔ ${p.label} ${formatAmount(p.done, p.unit)}`).join('  ')}
        </Text>
      ) : null}
      {progress.map((p) => {
        const stats = progressStats(p);
        const amount =
          p.total !== undefined
            ? `${formatAmount(p.done, p.unit)} / ${formatAmount(p.total, p.unit)}`
            : formatAmount(p.done, p.unit);
        const percent = stats.fraction !== undefined ? ` ${Math.floor(stats.fraction * 100)}%` : '';
        const rate = stats.rate !== undefined ? `  ${formatRate(stats.rate, p.unit)}` : '';
        const eta = stats.etaMs !== undefined ? `  ETA ${formatClock(stats.etaMs)}` : '';
        return (
          <Box key={p.key}>
            <Box width={10} flexShrink={0}>
              <Text wrap="truncate-end">{p.label}</Text>
            </Box>
            {stats.fraction !== undefined ? <Text color="cyan">{bar(stats.fraction, compact ? 10 : 20)} </Text> : null}
            <Text wrap="truncate-end">
              {amount}
              {percent}
              {compact ? '' : rate + eta}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
