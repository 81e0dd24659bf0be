import type { RunHeader, RunStatus, StepStatus } from '../runbook/events.js';
import type { JournalRecord } from '../runbook/journal.js';
import { formatDuration } from '../runbook/duration.js';
import { recoveryPoint } from '../runbook/rto.js';

export interface ReportStep {
  id: string;
  title: string;
  action: string;
  status: StepStatus;
  /** Milliseconds after the run's start. */
  offsetMs: number;
  durationMs: number;
  duration: string;
  attempts: number;
  error?: string;
}

export interface ReportPhase {
  id: string;
  title: string;
  status: StepStatus;
  durationMs: number;
  duration: string;
  steps: ReportStep[];
}

/** Everything a drill report says, built from the journal alone. */
export interface ReportModel {
  runId: string;
  scenario: { id: string; title: string; severity?: string };
  mode: string;
  operator: string;
  target?: string;
  status: RunStatus | 'running';
  passed: boolean;
  startedAt: string;
  finishedAt?: string;
  durationMs: number;
  duration: string;
  rto: {
    targetMs: number;
    target: string;
    actualMs: number;
    actual: string;
    met: boolean;
    verdict: string;
    usedPercent: number;
  };
  rpo: {
    targetMs: number;
    target: string;
    actualMs?: number;
    actual: string;
    met?: boolean;
    verdict: string;
    recoveryPoint?: string;
  };
  backup?: { id: string; recoveryPoint?: string };
  phases: ReportPhase[];
  validations: { stepId: string; title: string; action: string; passed: boolean; result: string }[];
  undo: {
    offered: boolean;
    accepted?: boolean;
    actions: { stepId: string; title: string; status: StepStatus; error?: string }[];
  };
  notes: { stepId: string; text: string }[];
  errors: { stepId?: string; message: string }[];
  interruptions: { at: string; reason: string }[];
}

const MARKED_DONE = 'marked done by the operator on resume; pgdr did not see it finish';

export function buildReportModel(records: readonly JournalRecord[]): ReportModel {
  const header = records.find((r) => r.type === 'run.started') as (RunHeader & { at: number }) | undefined;
  const meta = records.find((r) => r.type === 'run.meta');
  if (!header || !meta || meta.type !== 'run.meta') throw new Error('The journal has no run.started record.');
  const start = meta.at;
  const finished = [...records].reverse().find((r) => r.type === 'run.finished');
  const last = records[records.length - 1]?.at ?? start;
  const end = finished?.at ?? last;
  const stepInfo = new Map<
    string,
    {
      action: string;
      validation: boolean;
      first?: number;
      last?: number;
      status: StepStatus;
      attempts: number;
      error?: string;
      outputs: Record<string, unknown>;
    }
  >();
  const info = (id: string) => {
    let s = stepInfo.get(id);
    if (!s)
      stepInfo.set(id, (s = { action: 'manual', validation: false, status: 'pending', attempts: 0, outputs: {} }));
    return s;
  };
  const undoActions: ReportModel['undo']['actions'] = [];
  const errors: ReportModel['errors'] = [];
  let undoAnswer: boolean | undefined;
  const markedDone: string[] = [];
  for (const r of records) {
    if (r.type === 'step.action') Object.assign(info(r.stepId), { action: r.action, validation: r.validation });
    else if (r.type === 'step.started') {
      const s = info(r.stepId);
      s.first ??= r.at;
      s.attempts = Math.max(s.attempts, r.attempt);
      s.status = 'running';
    } else if (r.type === 'step.finished') {
      const s = info(r.stepId);
      s.first ??= r.at;
      Object.assign(s, { last: r.at, status: r.status, error: r.error, outputs: r.outputs ?? {} });
      if (r.error && r.status !== 'aborted') errors.push({ stepId: r.stepId, message: r.error });
      if (r.markedDone) markedDone.push(r.stepId);
    } else if (r.type === 'undo.finished') {
      const title = header.phases.flatMap((p) => p.steps).find((s) => s.id === r.stepId)?.title ?? r.stepId;
      undoActions.push({ stepId: r.stepId, title, status: r.status, error: r.error });
    } else if (r.type === 'prompt.answered' && r.promptId === 'undo') undoAnswer = r.answer === true;
  }
  if (finished?.type === 'run.finished' && finished.error && !errors.some((e) => e.message === finished.error))
    errors.push({ message: finished.error });
  const phases: ReportPhase[] = header.phases.map((phase) => {
    const steps = phase.steps.map((step): ReportStep => {
      const s = info(step.id);
      const first = s.first ?? start;
      const durationMs = s.last !== undefined ? s.last - first : s.status === 'running' ? end - first : 0;
      return {
        id: step.id,
        title: step.title,
        action: s.action,
        status: s.status,
        offsetMs: first - start,
        durationMs,
        duration: formatDuration(durationMs),
        attempts: s.attempts,
        error: s.error,
      };
    });
    const ran = steps.filter((s) => s.status !== 'pending');
    const durationMs = ran.length
      ? Math.max(...ran.map((s) => s.offsetMs + s.durationMs)) - Math.min(...ran.map((s) => s.offsetMs))
      : 0;
    return {
      id: phase.id,
      title: phase.title,
      status: phaseStatus(steps),
      durationMs,
      duration: formatDuration(durationMs),
      steps,
    };
  });
  const status = finished?.type === 'run.finished' ? finished.status : 'running';
  const durationMs = end - start;
  const rtoMs = header.runbook.rtoMs ?? 0;
  const outputs = [...stepInfo.values()].filter((s) => s.status === 'succeeded').map((s) => s.outputs);
  const point = recoveryPoint(outputs);
  const rpoMs = finished?.type === 'run.finished' ? finished.rpoMs : undefined;
  const rpoTarget = header.runbook.rpoMs ?? 0;
  const rtoMet = status === 'passed' && durationMs <= rtoMs;
  const backupOut = outputs.find((o) => typeof o.backupId === 'string');
  return {
    runId: header.runId,
    scenario: { id: header.runbook.id, title: header.runbook.title, severity: header.runbook.severity },
    mode: header.mode,
    operator: header.operator,
    target: header.target,
    status,
    passed: status === 'passed',
    startedAt: new Date(start).toISOString(),
    finishedAt: finished ? new Date(finished.at).toISOString() : undefined,
    durationMs,
    duration: formatDuration(durationMs),
    rto: {
      targetMs: rtoMs,
      target: formatDuration(rtoMs),
      actualMs: durationMs,
      actual: formatDuration(durationMs),
      met: rtoMet,
      verdict: status !== 'passed' ? `RTO not met: the run ${status}` : rtoMet ? 'RTO met' : 'RTO missed',
      usedPercent: rtoMs > 0 ? Math.round((durationMs / rtoMs) * 1000) / 10 : 0,
    },
    rpo: {
      targetMs: rpoTarget,
      target: formatDuration(rpoTarget),
      actualMs: rpoMs,
      actual: rpoMs === undefined ? 'not measured' : formatDuration(rpoMs),
      met: rpoMs === undefined ? undefined : rpoMs <= rpoTarget,
      verdict:
        rpoMs === undefined
          ? 'RPO not measured (no step reported a recovery point)'
          : rpoMs <= rpoTarget
            ? 'RPO met'
            : 'RPO missed',
      recoveryPoint: point === undefined ? undefined : new Date(point).toISOString(),
    },
    backup: backupOut
      ? {
          id: String(backupOut.backupId),
          recoveryPoint: backupOut.recoveryPoint === undefined ? undefined : String(backupOut.recoveryPoint),
        }
      : undefined,
    phases,
    validations: [...stepInfo.entries()]
      .filter(([, s]) => s.validation && (s.status === 'succeeded' || s.status === 'failed'))
      .map(([id, s]) => ({
        stepId: id,
        title: titleOf(header, id),
        action: s.action,
        passed: s.status === 'succeeded',
        result: String(s.outputs.summary ?? s.error ?? s.status),
      })),
    undo: { offered: undoAnswer !== undefined, accepted: undoAnswer, actions: undoActions },
    notes: [
      ...[...stepInfo.entries()]
        .filter(([, s]) => typeof s.outputs.notes === 'string' && s.outputs.notes)
        .map(([id, s]) => ({ stepId: id, text: String(s.outputs.notes) })),
      ...markedDone.map((stepId) => ({ stepId, text: MARKED_DONE })),
    ],
    errors,
    interruptions: records
      .filter((r) => r.type === 'run.suspended')
      .map((r) => ({ at: new Date(r.at).toISOString(), reason: r.type === 'run.suspended' ? r.reason : '' })),
  };
}

function titleOf(header: RunHeader, stepId: string): string {
  return header.phases.flatMap((p) => p.steps).find((s) => s.id === stepId)?.title ?? stepId;
}

function phaseStatus(steps: ReportStep[]): StepStatus {
  for (const status of ['failed', 'aborted', 'running'] as const)
    if (steps.some((s) => s.status === status)) return status;
  if (steps.every((s) => s.status === 'skipped')) return 'skipped';
  return steps.some((s) => s.status === 'pending') ? 'pending' : 'succeeded';
}
