import type { RunEvent, RunHeader, RunEventListener } from '../../src/runbook/events.js';
import type { RunHandle } from '../../src/runbook/run-handle.js';

/** A run handle driven by hand: tests emit the events an engine would. */
export class FakeRun implements RunHandle {
  readonly events: RunEvent[] = [];
  abortRequests = 0;
  readonly suspensions: string[] = [];
  private readonly listeners = new Set<RunEventListener>();

  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  history(): readonly RunEvent[] {
    return this.events;
  }

  requestAbort(): void {
    this.abortRequests++;
  }

  suspend(reason: string): void {
    this.suspensions.push(reason);
  }

  emit(...events: RunEvent[]): void {
    for (const event of events) {
      this.events.push(event);
      for (const listener of this.listeners) listener(event);
    }
  }
}

/** 16 January 2025, 12:03:04 local time. */
export const T0 = new Date(2025, 0, 16, 12, 3, 4).getTime();

export const header: RunHeader = {
  runId: '20250116T120304Z-complete-loss',
  runbook: {
    id: 'complete-loss',
    title: 'Complete database loss',
    severity: 'critical',
    rtoMs: 4 * 3600_000,
    rpoMs: 3600_000,
  },
  mode: 'drill',
  target: 'postgres://app:***@db.internal:5432/app',
  operator: 'alice@bastion',
  phases: [
    { id: 'assess', title: 'Assess', steps: [{ id: 'ping', title: 'Check the database answers' }] },
    {
      id: 'restore',
      title: 'Restore',
      steps: [
        { id: 'pick', title: 'Pick the latest verified backup' },
        { id: 'pg-restore', title: 'Restore the dump into the scratch database' },
      ],
    },
    {
      id: 'validate',
      title: 'Validate',
      steps: [
        { id: 'rows', title: 'Row counts match the manifest' },
        { id: 'ack', title: 'Tell the team', manual: true },
      ],
    },
  ],
};

export const started: Extract<RunEvent, { type: 'run.started' }> = { type: 'run.started', at: T0, ...header };

/** A whole passed drill: the sequence the plain and JSON renderers are checked against. */
export function passedRun(): RunEvent[] {
  return [
    started,
    { type: 'phase.started', at: T0, phaseId: 'assess', title: 'Assess' },
    {
      type: 'step.started',
      at: T0,
      phaseId: 'assess',
      stepId: 'ping',
      title: 'Check the database answers',
      attempt: 1,
    },
    { type: 'log', at: T0 + 100, stepId: 'ping', level: 'info', message: 'server 15.8 answers' },
    { type: 'step.finished', at: T0 + 200, phaseId: 'assess', stepId: 'ping', status: 'succeeded', durationMs: 200 },
    { type: 'phase.finished', at: T0 + 200, phaseId: 'assess', status: 'succeeded', durationMs: 200 },
    { type: 'phase.started', at: T0 + 1000, phaseId: 'restore', title: 'Restore' },
    {
      type: 'step.started',
      at: T0 + 1000,
      phaseId: 'restore',
      stepId: 'pg-restore',
      title: 'Restore the dump into the scratch database',
      attempt: 1,
    },
    {
      type: 'task.updated',
      at: T0 + 1100,
      stepId: 'pg-restore',
      taskId: 'sum',
      title: 'check checksum',
      state: 'done',
    },
    {
      type: 'progress',
      at: T0 + 2000,
      stepId: 'pg-restore',
      label: 'restore',
      done: 0,
      total: 100 * 1024 * 1024,
      unit: 'bytes',
    },
    {
      type: 'progress',
      at: T0 + 3000,
      stepId: 'pg-restore',
      label: 'restore',
      done: 5 * 1024 * 1024,
      total: 100 * 1024 * 1024,
      unit: 'bytes',
    },
    {
      type: 'progress',
      at: T0 + 4000,
      stepId: 'pg-restore',
      label: 'restore',
      done: 50 * 1024 * 1024,
      total: 100 * 1024 * 1024,
      unit: 'bytes',
    },
    {
      type: 'prompt.asked',
      at: T0 + 5000,
      stepId: 'pg-restore',
      prompt: { kind: 'type-name', id: 'confirm-db', message: 'Restore over scratch_app?', expected: 'scratch_app' },
    },
    { type: 'prompt.answered', at: T0 + 6000, stepId: 'pg-restore', promptId: 'confirm-db', answer: 'scratch_app' },
    {
      type: 'step.finished',
      at: T0 + 66_000,
      phaseId: 'restore',
      stepId: 'pg-restore',
      status: 'succeeded',
      durationMs: 65_000,
    },
    { type: 'phase.finished', at: T0 + 66_000, phaseId: 'restore', status: 'succeeded', durationMs: 65_000 },
    {
      type: 'run.finished',
      at: T0 + 70_000,
      status: 'passed',
      durationMs: 70_000,
      rtoMs: 4 * 3600_000,
      rtoMet: true,
      rpoMs: 12 * 60_000,
      reportPaths: [
        'pgdr-runs/20250116T120304Z-complete-loss/report.md',
        'pgdr-runs/20250116T120304Z-complete-loss/report.html',
      ],
    },
  ];
}

/** The restore step of the header starts. */
export const restoreStarted: RunEvent = {
  type: 'step.started',
  at: T0,
  phaseId: 'restore',
  stepId: 'pg-restore',
  title: 'Restore the dump into the scratch database',
  attempt: 1,
};
