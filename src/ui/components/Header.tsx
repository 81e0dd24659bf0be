import { Box, Text } from 'ink';
import type { RunHeader } from '../../runbook/events.js';
import { RtoBar } from './RtoBar.js';

interface Props {
  header?: RunHeader;
  resumed: boolean;
  elapsedMs: number;
  /** When the restore under way is predicted to end, on the run's clock. */
  predictedEndMs?: number;
  columns: number;
}

export function Header({ header, resumed, elapsedMs, predictedEndMs, columns }: Props) {
  if (!header) return <Text dimColor>waiting for the run to start…</Text>;
  const drill = header.mode === 'drill';
  const compact = columns < 60;
  return (
    <Box flexDirection="column">
      <Box>
        <Text bold color={drill ? 'blue' : 'red'} inverse>
          {drill ? '[DRILL]' : '[INCIDENT]'}
        </Text>
        <Box flexGrow={1} marginLeft={1}>
          <Text bold wrap="truncate-end">
            {header.runbook.title}
            {resumed ? ' (resumed)' : ''}
          </Text>
        </Box>
        {compact ? null : <Text dimColor> {header.runId}</Text>}
      </Box>
      {header.target ? (
        <Text wrap="truncate-end">
          <Text dimColor>{header.restoresInto ? 'from ' : 'target '}</Text>
          {header.target}
          {header.restoresInto ? (
            <>
              <Text dimColor> restores into </Text>
              <Text bold>{header.restoresInto}</Text>
            </>
          ) : null}
        </Text>
      ) : null}
      <RtoBar elapsedMs={elapsedMs} rtoMs={header.runbook.rtoMs} predictedEndMs={predictedEndMs} columns={columns} />
    </Box>
  );
}
