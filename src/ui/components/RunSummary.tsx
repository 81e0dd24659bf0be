import { Box, Text } from 'ink';
import { formatDuration } from '../../core/duration.js';
import type { RunEnd, UndoState } from '../../runbook/run-state.js';
import { stepColour, stepSymbol } from '../theme.js';

const statusColour = { passed: 'green', failed: 'red', aborted: 'yellow' } as const;
const statusSymbol = { passed: '✔', failed: '✖', aborted: '■' } as const;

/** What the operator reads when the run is over: outcome, RTO/RPO, undo actions and where the report is. */
export function RunSummary({ result, undo }: { result: RunEnd; undo: UndoState[] }) {
  const rto =
    result.rtoMs === undefined
      ? undefined
      : `RTO ${formatDuration(result.rtoMs)}: ${result.rtoMet === false ? 'missed' : 'met'} (took ${formatDuration(result.durationMs)})`;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold color={statusColour[result.status]}>
        {statusSymbol[result.status]} run {result.status} in {formatDuration(result.durationMs)}
      </Text>
      {result.error ? <Text color="red">{result.error}</Text> : null}
      {rto ? <Text color={result.rtoMet === false ? 'red' : 'green'}>{rto}</Text> : null}
      {result.rpoMs !== undefined ? <Text>RPO {formatDuration(result.rpoMs)}</Text> : null}
      {undo.map((u) => (
        <Text key={u.stepId} color={stepColour[u.status]}>
          {stepSymbol[u.status]} undo {u.title}
          {u.error ? `: ${u.error}` : ''}
        </Text>
      ))}
      {result.reportPaths.map((path) => (
        <Text key={path} wrap="truncate-middle">
          report {path}
        </Text>
      ))}
    </Box>
  );
}
