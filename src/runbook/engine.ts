import { randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { Aborted, errorMessage, isPgdrError } from '../core/errors.js';
import { redact, redactValue } from '../core/secrets.js';
import type { ActionRegistry, TargetProfile } from '../actions/registry.js';
import type { RunServices } from '../actions/run-services.js';
import type { Prompter, PromptAnswer, PromptRequest } from '../core/prompt.js';
import type { RunEvent, RunEventListener, RunStatus, StepStatus } from './events.js';
import type { RunHandle } from './run-handle.js';
import type { RunMode } from '../actions/registry.js';
import { RunJournal, readJournal, type JournalRecord, type RunMetaRecord } from './journal.js';
import { loadRunbookText, type LoadedRunbook } from './loader.js';
import {
  applyRecord,
  initialState,
  isSettled,
  resumableState,
  stepsOf,
  findStep,
  type RunState,
  type StepState,
} from './run-state.js';
import { resolveInputs, type Ask } from './inputs.js';
import type { ServiceRecipe } from '../actions/run-services.js';
import { parseDuration } from '../core/duration.js';
import { RtoWatch, rpoActual, systemClock, type Clock } from './rto.js';
import { executeStep, rearmSettledSteps, runUndos, type EngineCore } from './step-executor.js';
import type { RunbookStep } from './schema.js';

export interface RunOptions {
  prompter: Prompter;
  runsDir: string;
  actions: ActionRegistry;
  targets?: Record<string, TargetProfile>;
  clock?: Clock;
  operator?: string;
  /** Repository, keys and notification channels for the backup, restore and notify actions. */
  services?: RunServices;
  /** How the services were built (journaled, no secrets), so that a resume can build them again. */
  recipe?: ServiceRecipe;
  /**
   * On resume: builds the targets and services again from the journal's header, asking (through the run's prompter,
   * so the screen shows it) only for a secret it cannot find. Targets given in `targets` win over rebuilt ones.
   */
  rebuild?: (
    meta: RunMetaRecord,
    ask: Ask,
  ) => Promise<{ targets: Record<string, TargetProfile>; services: RunServices }>;
  /** How long a cancelled step's action gets to stop before the step is recorded as stopped anyway (default 60 s). */
  cancelGraceMs?: number;
  /** Writes the report when the run ends (the CLI passes report/write's) and returns its paths; without it, none. */
  writeReports?: (runDir: string, records: readonly JournalRecord[]) => string[];
}

export interface CreateRunOptions extends RunOptions {
  runbook: LoadedRunbook;
  mode: RunMode;
  inputs?: Record<string, string>;
  runId?: string;
}

export interface RunResult {
  runId: string;
  runDir: string;
  /** 'suspended': stopped by a hang-up or SIGTERM without aborting; `pgdr run --resume` continues it. */
  status: RunStatus | 'suspended';
  durationMs: number;
  rtoMs: number;
  rtoMet: boolean;
  rpoMs?: number;
  reportPaths: string[];
  error?: string;
  /** Why it was suspended ("SIGHUP", "suspended by the operator"). */
  suspendedBy?: string;
  /** The exit code the error that failed it calls for (2 for input pgdr could not use), when one did. */
  exitCode?: number;
}

export interface Run extends RunHandle {
  readonly runId: string;
  readonly runDir: string;
  start(): Promise<RunResult>;
  /** Stop taking steps and leave the run resumable (SIGHUP, SIGTERM). */
  suspend(reason: string): void;
}

export function newRunId(runbookId: string, at: number): string {
  const stamp = new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${runbookId}-${randomBytes(2).toString('hex')}`;
}

export function defaultOperator(): string {
  return `${userInfo().username}@${hostname()}`;
}

export function createRun(options: CreateRunOptions): Run {
  const clock = options.clock ?? systemClock;
  const runId = options.runId ?? newRunId(options.runbook.runbook.id, clock.now());
  return new RunEngine(options, options.runbook, options.mode, runId, undefined, options.inputs ?? {});
}

/** Rebuilds a run from `<runsDir>/<runId>/journal.jsonl` and the runbook copy beside it. */
export function resumeRun(runId: string, options: RunOptions & { inputs?: Record<string, string> }): Run {
  const runDir = join(options.runsDir, runId);
  const records = readJournal(runDir);
  const state = { ...resumableState(records, runId), records };
  const loaded = loadRunbookText(
    readFileSync(join(runDir, 'runbook.yaml'), 'utf8'),
    state.meta.runbookFile,
    options.actions,
  );
  return new RunEngine(options, loaded, state.meta.mode, runId, state, options.inputs ?? {});
}

class RunEngine implements Run, EngineCore {
  readonly runDir: string;
  readonly clock: Clock;
  readonly operator: string;
  targets: Record<string, TargetProfile>;
  private rebuiltServices: RunServices | undefined;
  /** The run as its journal tells it, this process's records included (unredacted: later steps read the outputs). */
  state: RunState;
  inputs: Record<string, unknown> = {};
  startedAt: number;
  readonly journal: RunJournal;
  private readonly events: RunEvent[] = [];
  private readonly listeners = new Set<RunEventListener>();
  private buffered: JournalRecord[] | undefined = [];
  readonly stop = new AbortController();
  abortRequested = false;
  suspendedBy: string | undefined;
  currentStep: string | undefined;
  private suspendedStep: string | undefined;
  private watch: RtoWatch | undefined;

  constructor(
    private readonly options: RunOptions,
    readonly loaded: LoadedRunbook,
    readonly mode: RunMode,
    readonly runId: string,
    private readonly resumed: (RunState & { meta: RunMetaRecord; records: readonly JournalRecord[] }) | undefined,
    private readonly givenInputs: Record<string, string>,
  ) {
    this.clock = options.clock ?? systemClock;
    this.operator = options.operator ?? resumed?.meta.operator ?? defaultOperator();
    this.targets = options.targets ?? {};
    this.runDir = join(options.runsDir, runId);
    this.journal = RunJournal.create(this.runDir);
    this.startedAt = resumed?.startedAt ?? this.clock.now();
    this.state = resumed ?? initialState();
    if (resumed) this.buffered = undefined;
  }

  get actions(): ActionRegistry {
    return this.options.actions;
  }

  get services(): RunServices {
    return this.rebuiltServices ?? this.options.services ?? {};
  }

  get runbook() {
    return this.loaded.runbook;
  }

  get cancelGraceMs(): number | undefined {
    return this.options.cancelGraceMs;
  }

  get wasResumed(): boolean {
    return this.resumed !== undefined;
  }

  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  history(): readonly RunEvent[] {
    return this.events;
  }

  earlier(): readonly JournalRecord[] {
    return this.resumed?.records ?? [];
  }

  requestAbort(): void {
    if (this.abortRequested || this.suspendedBy) return;
    this.abortRequested = true;
    this.stop.abort(new Aborted());
  }

  suspend(reason: string): void {
    if (this.suspendedBy) return;
    this.suspendedBy = reason;
    this.suspendedStep = this.currentStep;
    this.stop.abort(new Aborted(`Suspended (${reason}).`));
  }

  step(stepId: string): StepState | undefined {
    return findStep(this.state, stepId);
  }

  record(record: JournalRecord): void {
    this.state = applyRecord(this.state, record);
    if (this.buffered) this.buffered.push(record);
    else this.journal.append(record);
  }

  emit(event: RunEvent): void {
    this.record(event);
    const safe = redactValue(event);
    this.events.push(safe);
    for (const listener of this.listeners) {
      try {
        listener(safe);
      } catch {
        // A broken subscriber must not stop a recovery.
      }
    }
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, stepId?: string): void {
    this.emit({ type: 'log', at: this.clock.now(), stepId, level, message });
  }

  async ask(request: PromptRequest, signal: AbortSignal, stepId?: string, secret = false): Promise<PromptAnswer> {
    this.emit({ type: 'prompt.asked', at: this.clock.now(), stepId, prompt: request });
    const answer = await this.options.prompter.ask(request, signal);
    this.emit({
      type: 'prompt.answered',
      at: this.clock.now(),
      stepId,
      promptId: request.id,
      answer: secret ? '***' : answer,
    });
    return answer;
  }

  scope(): Record<string, unknown> {
    const steps: Record<string, unknown> = {};
    for (const step of stepsOf(this.state)) steps[step.id] = { outputs: step.outputs, status: step.status };
    return {
      inputs: this.inputs,
      steps,
      run: {
        id: this.runId,
        mode: this.mode,
        operator: this.operator,
        startedAt: new Date(this.startedAt).toISOString(),
      },
    };
  }

  async start(): Promise<RunResult> {
    let error: unknown;
    let failed = false;
    const timer = setInterval(() => this.watch?.check(), 5000);
    timer.unref();
    try {
      await this.begin();
      for (const phase of this.runbook.phases) {
        const open = phase.steps.filter((s) => !isSettled(this.step(s.id), Boolean(s.continueOnError)));
        if (open.length === 0) continue;
        const phaseStart = this.clock.now();
        this.emit({ type: 'phase.started', at: phaseStart, phaseId: phase.id, title: phase.title });
        let phaseStatus: StepStatus = 'succeeded';
        for (const step of phase.steps) {
          if (isSettled(this.step(step.id), Boolean(step.continueOnError))) continue;
          if (this.stop.signal.aborted) break;
          this.watch?.check();
          const status = await executeStep(this, phase, step);
          if (status === 'failed' && step.continueOnError) continue;
          if (status === 'failed' || status === 'aborted') {
            phaseStatus = status;
            failed = status === 'failed';
            break;
          }
        }
        if (this.suspendedBy) break;
        if (this.abortRequested && phaseStatus === 'succeeded') phaseStatus = 'aborted';
        const ended = phaseStatus === 'succeeded';
        if (ended && phase.steps.every((s) => this.step(s.id)?.status === 'skipped')) phaseStatus = 'skipped';
        this.emit({
          type: 'phase.finished',
          at: this.clock.now(),
          phaseId: phase.id,
          status: phaseStatus,
          durationMs: this.clock.now() - phaseStart,
        });
        if (!ended) break;
      }
    } catch (caught) {
      error = caught;
    } finally {
      clearInterval(timer);
    }
    if (this.buffered !== undefined) {
      // The run never began (an input was missing or refused): leave no run behind.
      if (readdirSync(this.runDir).length === 0) rmSync(this.runDir, { recursive: true });
      throw error ?? new Aborted();
    }
    if (!this.suspendedBy && this.abortRequested) await runUndos(this);
    if (!this.suspendedBy)
      await this.services.cleanup?.run({
        debug: (m) => this.log('debug', m),
        info: (m) => this.log('info', m),
        warn: (m) => this.log('warn', m),
        error: (m) => this.log('error', m),
      });
    return this.finish(error, failed);
  }

  private async begin(): Promise<void> {
    const remembered = this.resumed?.meta.inputs ?? {};
    const inputSignal = this.stop.signal;
    const ask: Ask = (request, opts) =>
      this.ask(request, inputSignal, undefined, opts?.secret || (request.kind === 'text' && request.secret));
    if (this.resumed && this.options.rebuild) {
      const rebuilt = await this.options.rebuild(this.resumed.meta, ask);
      this.targets = { ...rebuilt.targets, ...this.options.targets };
      this.rebuiltServices = { ...rebuilt.services, ...this.options.services };
    }
    this.inputs = await resolveInputs(this.runbook, this.givenInputs, remembered, ask);
    if (!this.resumed) {
      writeFileSync(join(this.runDir, 'runbook.yaml'), this.loaded.source, { mode: 0o600 });
      const secretInputs = (this.runbook.inputs ?? []).filter((i) => i.secret).map((i) => i.name);
      const publicInputs = Object.fromEntries(Object.entries(this.inputs).filter(([k]) => !secretInputs.includes(k)));
      const buffered = this.buffered ?? [];
      this.buffered = undefined;
      this.record({
        type: 'run.meta',
        at: this.startedAt,
        runId: this.runId,
        runbookId: this.runbook.id,
        runbookFile: this.loaded.file,
        mode: this.mode,
        operator: this.operator,
        inputs: publicInputs,
        secretInputs,
        targets: Object.values(this.targets).map((t) => ({
          name: t.name,
          display: t.target.display,
          production: t.production,
          ...t.origin,
        })),
        services: this.options.recipe,
      });
      // Already folded into the state as they came; now the journal has a header to follow.
      for (const record of buffered) this.journal.append(record);
    } else {
      for (const name of this.resumed.meta.targets.map((t) => t.name)) {
        if (!this.targets[name])
          this.log(
            'warn',
            `Target '${name}' was set when the run began but not now; pass it again if later steps need it.`,
          );
      }
      rearmSettledSteps(this);
    }
    this.watch = new RtoWatch(this.runbook, this.startedAt, this.clock, (message) => this.log('warn', message));
    const primary = this.targets.primary ?? Object.values(this.targets)[0];
    this.emit({
      type: 'run.started',
      at: this.clock.now(),
      resumed: this.resumed ? true : undefined,
      runId: this.runId,
      mode: this.mode,
      operator: this.operator,
      target: primary?.target.display,
      resumable: this.services.resumable === false ? false : undefined,
      process: { pid: process.pid, host: hostname() },
      runbook: {
        id: this.runbook.id,
        title: this.runbook.title,
        severity: this.runbook.severity,
        rtoMs: parseDuration(this.runbook.rto),
        rpoMs: parseDuration(this.runbook.rpo),
      },
      phases: this.runbook.phases.map((p) => ({
        id: p.id,
        title: p.title,
        steps: p.steps.map((s: RunbookStep) => ({ id: s.id, title: s.title, manual: s.manual ? true : undefined })),
      })),
    });
  }

  private finish(error: unknown, failed: boolean): RunResult {
    const rtoMs = parseDuration(this.runbook.rto);
    const durationMs = this.clock.now() - this.startedAt;
    const message = error === undefined ? undefined : errorMessage(error);
    if (this.suspendedBy) {
      this.record({
        type: 'run.suspended',
        at: this.clock.now(),
        reason: this.suspendedBy,
        stepId: this.suspendedStep,
      });
      this.journal.close();
      return {
        runId: this.runId,
        runDir: this.runDir,
        status: 'suspended',
        durationMs,
        rtoMs,
        rtoMet: false,
        reportPaths: [],
        suspendedBy: this.suspendedBy,
      };
    }
    const status: RunStatus =
      this.abortRequested || error instanceof Aborted ? 'aborted' : failed || error ? 'failed' : 'passed';
    const rtoMet = status === 'passed' && durationMs <= rtoMs;
    const rpoMs = rpoActual(
      this.inputs,
      this.startedAt,
      stepsOf(this.state)
        .filter((s) => s.status === 'succeeded')
        .map((s) => s.outputs),
    );
    const finished = {
      type: 'run.finished' as const,
      at: this.clock.now(),
      status,
      durationMs,
      rtoMs,
      rtoMet,
      rpoMs,
      error: message && redact(message),
    };
    let reportPaths: string[] = [];
    if (this.options.writeReports) {
      try {
        reportPaths = this.options.writeReports(this.runDir, [...readJournal(this.runDir), finished]);
      } catch (reportError) {
        this.log('error', `Could not write the report: ${errorMessage(reportError)}`);
      }
    }
    this.emit({ ...finished, reportPaths });
    this.journal.close();
    return {
      runId: this.runId,
      runDir: this.runDir,
      status,
      durationMs,
      rtoMs,
      rtoMet,
      rpoMs,
      reportPaths,
      error: finished.error,
      exitCode: status === 'failed' && isPgdrError(error) ? error.exitCode : undefined,
    };
  }
}
