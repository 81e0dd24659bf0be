import type { CancelReason, RunEvent, RunHeader, StepStatus } from './events.js';

export interface StepState {
  id: string;
  phaseId: string;
  title: string;
  manual?: boolean;
  status: StepStatus;
  /** The attempt under way or last made: retries count up, a run after a resume starts again at 1. */
  attempt: number;
  /** Every start of the step: retries and runs after a resume. */
  attempts: number;
  /** When its latest run began (a retry is part of the same run; a run after a resume is a new one). */
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  outputs: Record<string, unknown>;
  error?: string;
  hint?: string;
  /** On resume the operator said it had finished; pgdr did not see it. */
  markedDone?: boolean;
  /** Its action was told to stop and has not yet: the screen says "cancelling…". */
  cancelling?: CancelReason;
  /** It ended because it was stopped, and why. */
  cancelled?: CancelReason;
  /** Why its action skipped it. */
  reason?: string;
  /** Time spent waiting for the operator's answers (the rest of its duration is the machine's). */
  waitingMs: number;
  /** A question of it is open since then. */
  askedAt?: number;
  /** It changes a database in place (from step.destructive); kept after it ends, so the aftermath can name it. */
  destructive?: Destructive;
  action?: string;
  /** Its result is a validation the report lists. */
  validation?: boolean;
}

export type Destructive = Omit<Extract<RunEvent, { type: 'step.destructive' }>, 'type' | 'at' | 'stepId'>;

export interface PhaseState {
  id: string;
  title: string;
  rtoMs?: number;
  status: StepStatus;
  startedAt?: number;
  durationMs?: number;
  steps: StepState[];
}

/** The header's phases and steps, all pending, then any the journal knew that the header does not announce. */
export function layout(header: RunHeader, known: PhaseState[]): PhaseState[] {
  const announced = header.phases.map((phase): PhaseState => ({
    id: phase.id,
    title: phase.title,
    rtoMs: phase.rtoMs,
    status: 'pending',
    steps: phase.steps.map((step) => ({
      ...blankStep(step.id, phase.id, step.title, step.manual),
      action: step.action,
    })),
  }));
  return [...announced, ...known.filter((p) => !announced.some((a) => a.id === p.id))];
}

export function blankStep(id: string, phaseId: string, title: string, manual?: boolean): StepState {
  return { id, phaseId, title, manual, status: 'pending', attempt: 0, attempts: 0, outputs: {}, waitingMs: 0 };
}

export function ensurePhase(phases: PhaseState[], phaseId: string, title: string): PhaseState[] {
  if (phases.some((p) => p.id === phaseId)) return phases;
  return [...phases, { id: phaseId, title, status: 'pending', steps: [] }];
}

export function updatePhase(
  phases: PhaseState[],
  phaseId: string,
  update: (phase: PhaseState) => PhaseState,
): PhaseState[] {
  return phases.map((phase) => (phase.id === phaseId ? update(phase) : phase));
}

/** Updates a step, adding it (and its phase) if the header did not announce it. */
export function updateStep(
  phases: PhaseState[],
  phaseId: string,
  stepId: string,
  title: string,
  update: (step: StepState) => StepState,
): PhaseState[] {
  const known = phases.some((p) => p.steps.some((s) => s.id === stepId));
  if (known) return updateStepById(phases, stepId, update);
  return updatePhase(ensurePhase(phases, phaseId, phaseId), phaseId, (phase) => ({
    ...phase,
    steps: [...phase.steps, update(blankStep(stepId, phaseId, title))],
  }));
}

export function updateStepById(
  phases: PhaseState[],
  stepId: string,
  update: (step: StepState) => StepState,
): PhaseState[] {
  return phases.map((phase) =>
    phase.steps.some((s) => s.id === stepId)
      ? { ...phase, steps: phase.steps.map((s) => (s.id === stepId ? update(s) : s)) }
      : phase,
  );
}
