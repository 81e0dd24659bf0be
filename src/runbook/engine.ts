import { randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Aborted, errorMessage, isPgdrError } from '../core/errors.js';
import { redactValue } from '../core/secrets.js';
import { operatorName } from '../core/identity.js';
import type { ActionRegistry, TargetProfile } from '../actions/registry.js';
import type { RunServices } from '../actions/run-services.js';
import type { PromptAnswer, PromptRequest } from '../core/prompt.js';
import type { RunEvent, RunEventListener } from './events.js';
import type { CreateRunOptions, Run, RunOptions, RunResult } from './run-api.js';
import type { RunMode } from '../actions/registry.js';
import { RunJournal, readJournal, type JournalRecord, type RunMetaRecord } from './journal.js';
import { loadRunbookText, type LoadedRunbook } from './loader.js';
import {
  applyRecord,
  initialState,
  resumableState,
  stepsOf,
  findStep,
  type RunState,
  type StepState,
} from './run-state.js';
import { resolveInputs, type Ask } from './inputs.js';
import { parseDuration } from '../core/duration.js';
import { RtoWatch, systemClock, type Clock } from './rto.js';
import { rearmSettledSteps } from './step-executor.js';
import { runUndos } from './undo.js';
import type { EngineCore } from './engine-core.js';
import { preflightChecks, type PreflightCheck } from './preflight.js';
import { askSignoff, preflightContext } from './run-questions.js';
import { runPreflightPhase } from './preflight-phase.js';
import { RunAnnouncer } from './run-notifications.js';
import { runPhases } from './run-phases.js';
import { metaRecord, runFinished, runStarted } from './run-header.js';

export function newRunId(runbookId: string, at: number): string {
  const stamp = new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${runbookId}-${randomBytes(2).toString('hex')}`;
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
  /** When the last phase ended: the RTO clock stops there, before the run's undo and cleanup. */
  private phasesEndedAt: number | undefined;
  private readonly announcer = new RunAnnouncer(this);

  constructor(
    private readonly options: RunOptions,
    readonly loaded: LoadedRunbook,
    readonly mode: RunMode,
    readonly runId: string,
    private readonly resumed: (RunState & { meta: RunMetaRecord; records: readonly JournalRecord[] }) | undefined,
    private readonly givenInputs: Record<string, string>,
  ) {
    this.clock = options.clock ?? systemClock;
    this.operator = options.operator ?? resumed?.meta.operator ?? operatorName();
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
    // Progress is for the screen and changes nothing in the fold; a checksum or restore reports it every 64 KiB, and
    // journaling it (a fsync a line) cost a 290 MiB restore's run 9,000 fsyncs and seconds of its RTO.
    if (event.type !== 'progress') this.record(event);
    this.broadcast(event);
  }

  /** Tells the subscribers without journaling (the end's report paths, known once the journal is complete). */
  private broadcast(event: RunEvent): void {
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
        operator: this.operatorLabel(),
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
      const checks = await this.begin();
      await runPreflightPhase(this, checks);
      await this.announcer.started(this.operatorLabel(), this.wasResumed);
      failed = await runPhases(this, () => this.watch?.check());
      this.phasesEndedAt = this.clock.now();
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
    if (!this.suspendedBy) await this.services.cleanup?.run(this.logger());
    return await this.finish(error, failed);
  }

  private logger() {
    return {
      debug: (m: string) => this.log('debug', m),
      info: (m: string) => this.log('info', m),
      warn: (m: string) => this.log('warn', m),
      error: (m: string) => this.log('error', m),
    };
  }

  /** Inputs, the journal's header (or, resumed, the targets and services built again), and run.started. */
  private async begin(): Promise<PreflightCheck[]> {
    const inputSignal = this.stop.signal;
    const ask: Ask = (request, opts) =>
      this.ask(request, inputSignal, undefined, opts?.secret || (request.kind === 'text' && request.secret));
    if (this.resumed && this.options.rebuild) {
      const rebuilt = await this.options.rebuild(this.resumed.meta, ask);
      this.targets = { ...rebuilt.targets, ...this.options.targets };
      this.rebuiltServices = { ...rebuilt.services, ...this.options.services };
    }
    this.inputs = await resolveInputs(this.runbook, this.givenInputs, this.resumed?.meta.inputs ?? {}, ask);
    if (!this.resumed) {
      writeFileSync(join(this.runDir, 'runbook.yaml'), this.loaded.source, { mode: 0o600 });
      const buffered = this.buffered ?? [];
      this.buffered = undefined;
      this.record(
        metaRecord(this, this.loaded, this.startedAt, this.operator, this.options.recipe, this.options.operatorName),
      );
      // Already folded into the state as they came; now the journal has a header to follow.
      for (const record of buffered) this.journal.append(record);
    } else {
      for (const name of this.resumed.meta.targets.map((t) => t.name)) {
        if (!this.targets[name])
          this.log('warn', `Target '${name}' was set when the run began but could not be built again now.`);
      }
      rearmSettledSteps(this);
    }
    this.watch = new RtoWatch(this.runbook, this.startedAt, this.clock, (message) => this.log('warn', message));
    const checks = preflightChecks(preflightContext(this, this.options.prompter));
    this.emit(runStarted(this, this.operatorLabel(), checks));
    return checks;
  }

  /** The person on call as the record and the pages name them: "Grace Hopper (alice@bastion)", or the account alone. */
  private operatorLabel(): string {
    const name = this.resumed?.meta.operatorName ?? this.options.operatorName;
    return name ? `${name} (${this.operator})` : this.operator;
  }

  private async finish(error: unknown, failed: boolean): Promise<RunResult> {
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
        durationMs: this.clock.now() - this.startedAt,
        rtoMs: parseDuration(this.runbook.rto),
        rtoMet: false,
        reportPaths: [],
        suspendedBy: this.suspendedBy,
      };
    }
    const finished = runFinished(this, this.startedAt, error, failed, this.phasesEndedAt);
    const { status, durationMs, rtoMs, rpoMs } = finished;
    await this.announcer.ended(finished);
    // Journaled before the report is written, so the report states the hash of the whole chain.
    this.record(finished);
    await askSignoff(this, this.options.prompter);
    let reportPaths: string[] = [];
    if (this.options.writeReports) {
      try {
        reportPaths = this.options.writeReports(this.runDir, readJournal(this.runDir));
      } catch (reportError) {
        this.log('error', `Could not write the report: ${errorMessage(reportError)}`);
      }
    }
    this.broadcast({ ...finished, reportPaths });
    this.journal.close();
    return {
      runId: this.runId,
      runDir: this.runDir,
      status,
      durationMs,
      rtoMs: rtoMs ?? 0,
      rtoMet: finished.rtoMet === true,
      rpoMs,
      reportPaths,
      error: finished.error,
      exitCode: status === 'failed' && isPgdrError(error) ? error.exitCode : undefined,
    };
  }
}
