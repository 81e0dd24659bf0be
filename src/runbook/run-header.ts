import { hostname } from 'node:os';
import { parseDuration } from '../core/duration.js';
import type { RunEvent, RunStatus } from './events.js';
import { Aborted, errorMessage } from '../core/errors.js';
import { redact } from '../core/secrets.js';
import { rpoActual } from './rto.js';
import { stepsOf } from './run-state.js';
import type { RunMetaRecord } from './journal.js';
import type { LoadedRunbook } from './loader.js';
import type { PreflightCheck } from './preflight.js';
import { preflightPhase } from './preflight-phase.js';
import { actionOf } from './step-arguments.js';
import type { EngineCore } from './engine-core.js';
import type { ServiceRecipe } from '../actions/run-services.js';

/** The journal's first record: everything a resume needs to build the run again, and no secret. */
export function metaRecord(
  core: EngineCore,
  loaded: LoadedRunbook,
  startedAt: number,
  operator: string,
  recipe: ServiceRecipe | undefined,
  operatorName?: string,
): RunMetaRecord {
  const secretInputs = (core.runbook.inputs ?? []).filter((i) => i.secret).map((i) => i.name);
  return {
    type: 'run.meta',
    at: startedAt,
    runId: core.runId,
    runbookId: core.runbook.id,
    runbookFile: loaded.file,
    mode: core.mode,
    operator,
    operatorName,
    inputs: Object.fromEntries(Object.entries(core.inputs).filter(([k]) => !secretInputs.includes(k))),
    secretInputs,
    targets: Object.values(core.targets).map((t) => ({
      name: t.name,
      display: t.target.display,
      production: t.production,
      ...t.origin,
    })),
    services: recipe,
  };
}

/** run.started: the header every reader draws from (runbook, phases with preflight first, targets, this process). */
export function runStarted(
  core: EngineCore,
  operator: string,
  checks: PreflightCheck[],
): Extract<RunEvent, { type: 'run.started' }> {
  const primary = core.targets.primary ?? Object.values(core.targets)[0];
  const restored = core.targets.restored;
  return {
    type: 'run.started',
    at: core.clock.now(),
    resumed: core.wasResumed ? true : undefined,
    runId: core.runId,
    mode: core.mode,
    operator,
    target: primary?.target.display,
    restoresInto: restored && restored.target.display !== primary?.target.display ? restored.target.display : undefined,
    resumable: core.services.resumable === false ? false : undefined,
    process: { pid: process.pid, host: hostname() },
    runbook: {
      id: core.runbook.id,
      title: core.runbook.title,
      severity: core.runbook.severity,
      rtoMs: parseDuration(core.runbook.rto),
      rpoMs: parseDuration(core.runbook.rpo),
      description: core.runbook.description?.trim(),
    },
    phases: [
      preflightPhase(checks),
      ...core.runbook.phases.map((p) => ({
        id: p.id,
        title: p.title,
        rtoMs: p.rto ? parseDuration(p.rto) : undefined,
        steps: p.steps.map((s) => ({
          id: s.id,
          title: s.title,
          manual: s.manual ? true : undefined,
          action: actionOf(s),
        })),
      })),
    ],
  };
}

/** How the run ended: aborted by the operator, failed by a step or an error, or passed; its RTO and RPO measured. */
export function runFinished(
  core: EngineCore,
  startedAt: number,
  error: unknown,
  failed: boolean,
  phasesEndedAt?: number,
): Extract<RunEvent, { type: 'run.finished' }> {
  const rtoMs = parseDuration(core.runbook.rto);
  const durationMs = core.clock.now() - startedAt;
  const recoveredMs = (phasesEndedAt ?? core.clock.now()) - startedAt;
  const status: RunStatus =
    core.abortRequested || error instanceof Aborted ? 'aborted' : failed || error ? 'failed' : 'passed';
  const message = error === undefined ? undefined : errorMessage(error);
  return {
    type: 'run.finished',
    at: core.clock.now(),
    status,
    durationMs,
    recoveredMs,
    rtoMs,
    rtoMet: status === 'passed' && recoveredMs <= rtoMs,
    rpoMs: rpoActual(
      core.inputs,
      startedAt,
      stepsOf(core.state)
        .filter((s) => s.status === 'succeeded')
        .map((s) => s.outputs),
    ),
    error: message && redact(message),
  };
}
