import { Box, Text } from 'ink';
import { formatDuration } from '../../core/duration.js';
import { aftermath } from '../../runbook/aftermath.js';
import { nextSteps } from '../../runbook/next-steps.js';
import type { RunEnd, RunState } from '../../runbook/run-state.js';
import { stepColour, stepSymbol } from '../theme.js';
import { rtoVerdict } from '../verdicts.js';

const statusColour = { passed: 'green', failed: 'red', aborted: 'yellow' } as const;
const statusSymbol = { passed: '✔', failed: '✖', aborted: '■' } as const;

/** What the operator reads when the run is over: outcome, RTO/RPO, what it left part-way, undo, next steps, report. */
export function RunSummary({ state, result }: { state: RunState; result: RunEnd }) {
  const rto = rtoVerdict(result);
  const left = aftermath(state).filter((t) => !t.complete);
  const next = nextSteps(state);
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold color={statusColour[result.status]}>
        {statusSymbol[result.status]} run {result.status} in {formatDuration(result.durationMs)}
      </Text>
      {result.error ? <Text color="red">{result.error}</Text> : null}
      {rto ? <Text color={result.status === 'passed' && result.rtoMet !== false ? 'green' : 'red'}>{rto}</Text> : null}
      {result.rpoMs !== undefined ? <Text>RPO {formatDuration(result.rpoMs)}</Text> : null}
      {state.safetySnapshots.map((s) => (
        <Text key={s.id} dimColor>
          safety snapshot {s.id} of {s.database} in {s.repository}
        </Text>
      ))}
      {left.map((t) => (
        <Text key={t.stepId} color="yellow">
          ! {t.database}: {t.state}
        </Text>
      ))}
      {state.undo.map((u) => (
        <Text key={u.stepId} color={stepColour[u.status]}>
          {stepSymbol[u.status]} undo {u.title}
          {u.error ? `: ${u.error}` : ''}
        </Text>
      ))}
      {next.length ? <Text bold>Next steps</Text> : null}
      {next.map((step) => (
        <Box key={step.command} flexDirection="column">
          <Text dimColor>{step.what}:</Text>
          <Text>{step.command}</Text>
        </Box>
      ))}
      {result.reportPaths.map((path) => (
        <Text key={path} wrap="truncate-middle">
          report {path}
        </Text>
      ))}
    </Box>
  );
}
