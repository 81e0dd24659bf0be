import type { RunStatus, StepStatus } from '../runbook/events.js';
import { reportPhases, type ReportPhase } from './phases.js';
import { drillRecord, type DrillRecord, type RecordContext } from './record.js';
import type { JournalRecord } from '../runbook/journal.js';
import { foldJournal, stepsOf } from '../runbook/run-state.js';
import { formatDuration } from '../core/duration.js';
import { recoveryPoint } from '../runbook/rto.js';
import { aftermath, type TargetAftermath } from '../runbook/aftermath.js';
import { checklistsOf, deviationsOf, type ChecklistRecord, type Deviation } from './deviations.js';
import { predictionsOf, type ReportPrediction } from './predictions.js';

/** Everything a drill report says, built from the journal alone. */
export interface ReportModel {
  runId: string;
  scenario: { id: string; title: string; severity?: string };
  mode: string;
  operator: string;
  target?: string;
  /** 'suspended': stopped (a hang-up, the operator, or its process gone without an end), resumable; 'running': under way. */
  status: RunStatus | 'running' | 'suspended';
  /** For a run that can go on (suspended or failed): the command that continues it. */
  resumeCommand?: string;
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
  /** Each restore step's predicted phase durations against the actual ones; empty when none printed a prediction. */
  predictions: ReportPrediction[];
  validations: { stepId: string; title: string; action: string; passed: boolean; result: string }[];
  undo: {
    offered: boolean;
    accepted?: boolean;
    actions: { stepId: string; title: string; status: StepStatus; error?: string }[];
  };
  notes: { stepId: string; text: string }[];
  errors: { stepId?: string; message: string }[];
  /** Where the run stopped before it was resumed: the gap on the timeline, marked and counted in the RTO. */
  interruptions: { at: string; reason: string; resumedAt?: string; gap?: string; offsetMs: number; gapMs: number }[];
  /** Every database a step changed in place: how the run left it and the command that puts its safety snapshot back. */
  aftermath: TargetAftermath[];
  safetySnapshots: { id: string; database: string; repository: string; stepId: string; takenAt: string }[];
  deviations: Deviation[];
  checklists: ChecklistRecord[];
  /** The operator: the name they gave (asked once, remembered) and their account on the host. */
  operatorName?: string;
  signoff?: { approver: string; at: string; note?: string };
  record: DrillRecord;
  /** The journal's hash chain when the report was written: `pgdr report verify` checks the journal against it. */
  integrity?: { records: number; chainHash: string };
}

const MARKED_DONE = 'marked done by the operator on resume; pgdr did not see it finish';

export interface ReportOptions extends RecordContext {
  /** Whether the pgdr that ran the latest attempt still runs (undefined: cannot tell, another host). */
  alive?: (process: { pid: number; host: string }) => boolean | undefined;
}

/** Everything the report says, from the one fold of the journal: a resumed run is reported as its final attempt left it. */
export function buildReportModel(records: readonly JournalRecord[], options: ReportOptions = {}): ReportModel {
  const state = foldJournal(records);
  const { header, meta, finished } = state;
  if (!header || !meta) throw new Error('The journal has no run.started record.');
  const start = meta.at;
  const end = finished?.at ?? state.lastAt ?? start;
  const steps = stepsOf(state);
  const phases = reportPhases(state, start, end);
  // A run whose process is gone and left no end was cut off (killed, a lost machine): it waits to be resumed.
  const gone = !finished && !state.suspended && header.process && options.alive?.(header.process) === false;
  const status: ReportModel['status'] = finished?.status ?? (state.suspended || gone ? 'suspended' : 'running');
  const durationMs = end - start;
  const rtoMs = header.runbook.rtoMs ?? 0;
  const outputs = steps.filter((s) => s.status === 'succeeded').map((s) => s.outputs);
  const point = recoveryPoint(outputs);
  const rpoMs = finished?.rpoMs;
  const rpoTarget = header.runbook.rpoMs ?? 0;
  // The RTO is measured to the end of the last phase: a drill's cleanup after it is in the duration, not the recovery.
  const recoveredMs = finished?.recoveredMs ?? durationMs;
  const rtoMet = status === 'passed' && recoveredMs <= rtoMs;
  const backupOut = outputs.find((o) => typeof o.backupId === 'string');
  const signoff = state.signoffs.at(-1);
  const errors: ReportModel['errors'] = steps
    // A step stopped by a suspension is not an error: the run was paused there, and the interruptions say so.
    .filter((s) => (s.status === 'failed' || (s.status === 'aborted' && s.cancelled !== 'suspend')) && s.error)
    .map((s) => ({ stepId: s.id, message: s.error! }));
  if (finished?.error && !errors.some((e) => e.message === finished.error)) errors.push({ message: finished.error });
  const undoAnswer = state.answers.undo;
  return {
    runId: header.runId,
    scenario: { id: header.runbook.id, title: header.runbook.title, severity: header.runbook.severity },
    mode: header.mode,
    operator: meta.operator,
    target: header.target,
    status,
    resumeCommand:
      (status === 'suspended' || status === 'failed') && header.resumable !== false
        ? `pgdr run --resume ${header.runId}`
        : undefined,
    passed: status === 'passed',
    startedAt: new Date(start).toISOString(),
    finishedAt: finished ? new Date(finished.at).toISOString() : undefined,
    durationMs,
    duration: formatDuration(durationMs),
    rto: {
      targetMs: rtoMs,
      target: formatDuration(rtoMs),
      actualMs: recoveredMs,
      actual: formatDuration(recoveredMs),
      met: rtoMet,
      verdict: status !== 'passed' ? `RTO not met: the run ${status}` : rtoMet ? 'RTO met' : 'RTO missed',
      usedPercent: rtoMs > 0 ? Math.round((recoveredMs / rtoMs) * 1000) / 10 : 0,
    },
    rpo: {
      targetMs: rpoTarget,
      target: formatDuration(rpoTarget),
      actualMs: rpoMs,
      actual: rpoMs === undefined ? 'not measured' : formatDuration(rpoMs),
      // Only a run that passed recovered the data: an RPO measured on the way to an abort is not one that was met.
      met: rpoMs === undefined ? undefined : status === 'passed' && rpoMs <= rpoTarget,
      verdict:
        status !== 'passed'
          ? `RPO not met: the run ${status}`
          : rpoMs === undefined
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
    predictions: predictionsOf(state),
    validations: steps
      .filter((s) => s.validation && (s.status === 'succeeded' || s.status === 'failed'))
      .map((s) => ({
        stepId: s.id,
        title: s.title,
        action: s.action ?? 'manual',
        passed: s.status === 'succeeded',
        result: String(s.outputs.summary ?? s.error ?? s.status),
      })),
    undo: {
      offered: undoAnswer !== undefined,
      accepted: undoAnswer === undefined ? undefined : undoAnswer === true,
      actions: state.undo.map(({ stepId, title, status, error }) => ({ stepId, title, status, error })),
    },
    notes: [
      ...steps
        .filter((s) => typeof s.outputs.notes === 'string' && s.outputs.notes)
        .map((s) => ({ stepId: s.id, text: String(s.outputs.notes) })),
      ...steps.filter((s) => s.markedDone).map((s) => ({ stepId: s.id, text: MARKED_DONE })),
    ],
    errors,
    interruptions: state.interruptions.map((i) => {
      const gapMs = i.resumedAt === undefined ? 0 : Math.max(0, i.resumedAt - i.at);
      return {
        at: new Date(i.at).toISOString(),
        reason: i.reason,
        resumedAt: i.resumedAt === undefined ? undefined : new Date(i.resumedAt).toISOString(),
        gap: i.resumedAt === undefined ? undefined : formatDuration(gapMs),
        offsetMs: i.at - start,
        gapMs,
      };
    }),
    aftermath: aftermath(state),
    deviations: deviationsOf(state, meta.operatorName ?? header.operator),
    checklists: checklistsOf(state),
    operatorName: meta.operatorName,
    signoff: signoff && {
      approver: signoff.approver,
      at: new Date(signoff.at).toISOString(),
      note: signoff.note,
    },
    record: drillRecord(state, phases, options, durationMs),
    integrity: options.integrity,
    safetySnapshots: state.safetySnapshots.map((s) => ({
      id: s.id,
      database: s.database,
      repository: s.repository,
      stepId: s.stepId,
      takenAt: new Date(s.at).toISOString(),
    })),
  };
}
