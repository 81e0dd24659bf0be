import { Box, Text } from 'ink';
import { formatDuration } from '../format.js';
import type { PhaseView, StepView, TaskView } from '../run-state.js';
import { stepColour, stepSymbol } from '../theme.js';
import { SubtaskList } from './SubtaskList.js';

interface Props {
  phases: PhaseView[];
  now: number;
  tasks: TaskView[];
  currentStepId?: string;
}

function duration(item: { status: string; startedAt?: number; durationMs?: number }, now: number): string {
  if (item.durationMs !== undefined) return formatDuration(item.durationMs);
  if (item.status === 'running' && item.startedAt !== undefined) return formatDuration(now - item.startedAt);
  return '';
}

/** A phase shows its steps while it runs or if it went wrong; finished and future phases stay one line. */
function expanded(phase: PhaseView): boolean {
  return phase.status === 'running' || phase.status === 'failed' || phase.steps.some((s) => s.status === 'running' || s.status === 'failed');
}

function StepLine({ step, now }: { step: StepView; now: number }) {
  const time = duration(step, now);
  const title = `${step.title}${step.manual ? ' (manual)' : ''}${step.attempt > 1 ? ` (attempt ${step.attempt})` : ''}`;
  return (
    <Box flexDirection="column">
      <Box>
        <Box flexShrink={0}>
          <Text color={stepColour[step.status]}>{`  ${stepSymbol[step.status]} `}</Text>
        </Box>
        <Box flexGrow={1}>
          <Text wrap="truncate-end" bold={step.status === 'running'}>
            {title}
          </Text>
        </Box>
        {time ? (
          <Box flexShrink={0}>
            <Text dimColor> {time}</Text>
          </Box>
        ) : null}
      </Box>
      {step.error ? (
        <Text color="red" wrap="truncate-end">
          {'    '}
          {step.error}
        </Text>
      ) : null}
      {step.hint ? (
        <Text color="yellow" wrap="truncate-end">
          {'    hint: '}
          {step.hint}
        </Text>
      ) : null}
    </Box>
  );
}

export function StepList({ phases, now, tasks, currentStepId }: Props) {
  return (
    <Box flexDirection="column">
      {phases.map((phase) => {
        const time = duration(phase, now);
        return (
          <Box key={phase.id} flexDirection="column">
            <Box>
              <Box flexShrink={0}>
                <Text color={stepColour[phase.status]}>{`${stepSymbol[phase.status]} `}</Text>
              </Box>
              <Box flexGrow={1}>
                <Text bold wrap="truncate-end">
                  {phase.title}
                </Text>
              </Box>
              {time ? (
                <Box flexShrink={0}>
                  <Text dimColor> {time}</Text>
                </Box>
              ) : null}
            </Box>
            {expanded(phase)
              ? phase.steps.map((step) => (
                  <Box key={step.id} flexDirection="column">
                    <StepLine step={step} now={now} />
                    {step.id === currentStepId ? <SubtaskList tasks={tasks} /> : null}
                  </Box>
                ))
              : null}
          </Box>
        );
      })}
    </Box>
  );
}
