import type { StepStatus } from '../runbook/events.js';
import type { RunState } from '../runbook/run-state.js';
import { formatDuration } from '../core/duration.js';

export interface ReportStep {
  id: string;
  title: string;
  action: string;
  status: StepStatus;
  /** Milliseconds after the run's start. */
  offsetMs: number;
  durationMs: number;
  duration: string;
  /** Of its duration, the time spent waiting for the operator's answers, and the rest (the machine's). */
  human: string;
  machine: string;
  humanMs: number;
  attempts: number;
  error?: string;
  /** Why it was skipped, when its action said ("no notification channel configured"). */
  reason?: string;
}

export interface ReportPhase {
  id: string;
  title: string;
  status: StepStatus;
  durationMs: number;
  duration: string;
  human: string;
  machine: string;
  humanMs: number;
  /** The phase's own share of the RTO when the runbook gives one, and whether it was kept. */
  target?: string;
  targetMet?: boolean;
  steps: ReportStep[];
}

const split = (durationMs: number, humanMs: number) => {
  const human = Math.min(durationMs, humanMs);
  return { humanMs: human, human: formatDuration(human), machine: formatDuration(durationMs - human) };
};

/** Phases and steps with their measured time against their targets, human waiting apart from machine time. */
export function reportPhases(state: RunState, start: number, end: number): ReportPhase[] {
  return state.phases.map((phase) => {
    const steps = phase.steps.map((s): ReportStep => {
      const first = s.startedAt ?? start;
      const durationMs = s.durationMs ?? (s.status === 'running' ? end - first : 0);
      return {
        id: s.id,
        title: s.title,
        action: s.action ?? 'manual',
        status: s.status,
        offsetMs: first - start,
        durationMs,
        duration: formatDuration(durationMs),
        ...split(durationMs, s.waitingMs),
        attempts: s.attempts,
        error: s.error,
        reason: s.reason,
      };
    });
    const durationMs = phase.durationMs ?? (phase.status === 'running' && phase.startedAt ? end - phase.startedAt : 0);
    return {
      id: phase.id,
      title: phase.title,
      status: phase.status,
      durationMs,
      duration: formatDuration(durationMs),
      ...split(
        durationMs,
        steps.reduce((n, s) => n + s.humanMs, 0),
      ),
      target: phase.rtoMs === undefined ? undefined : formatDuration(phase.rtoMs),
      targetMet: phase.rtoMs === undefined || phase.status === 'pending' ? undefined : durationMs <= phase.rtoMs,
      steps,
    };
  });
}
