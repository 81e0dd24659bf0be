import { Chalk, type ChalkInstance } from 'chalk';
import { redact } from '../core/secrets.js';
import { printable } from '../core/printable.js';
import type { RunEvent } from '../runbook/events.js';
import type { RunHandle } from '../runbook/run-handle.js';
import { formatDuration } from '../core/duration.js';
import { formatAmount, formatClock, formatRate, formatTimeOfDay } from './format.js';
import { nextSample, progressStats, type ProgressSample } from './progress-math.js';
import { followRun, journalSoFar, type RunRendering } from './rendering.js';
import { rtoVerdict } from './verdicts.js';
import { aftermath } from '../runbook/aftermath.js';
import { nextSteps } from '../runbook/next-steps.js';
import { applyRecord, initialState, stepsOf, type RunState } from '../runbook/run-state.js';
import type { JournalRecord } from '../runbook/journal.js';
import { noColorRequested, stepSymbol, taskSymbol } from './theme.js';

export interface PlainOptions {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Print debug log lines too. */
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
}

interface ProgressTrack extends ProgressSample {
  printedAt: number;
  printedTenth: number;
}

const PROGRESS_EVERY_MS = 5000;
const statusColour = {
  succeeded: 'green',
  failed: 'red',
  aborted: 'yellow',
  skipped: 'gray',
  running: 'cyan',
  pending: 'gray',
} as const;

/** Turns events into timestamped lines; progress only every 5 s or 10 % so logs stay readable. */
export class PlainLines {
  private readonly progress = new Map<string, ProgressTrack>();
  private readonly phaseOf = new Map<string, string>();
  private readonly questions = new Map<string, string>();

  constructor(
    private readonly c: ChalkInstance,
    private readonly verbose = false,
    earlier: readonly JournalRecord[] = [],
  ) {
    this.state = earlier.reduce(applyRecord, this.state);
  }

  /** The journal's fold of what this printer has seen: the summary names what the run left part-way. */
  private state: RunState = initialState();

  lines(event: RunEvent): string[] {
    this.state = applyRecord(this.state, event);
    return this.describe(event).map((text) => `${this.c.dim(formatTimeOfDay(event.at))} ${redact(text)}`);
  }

  private step(stepId: string): string {
    const phase = this.phaseOf.get(stepId);
    return phase ? `${phase}/${stepId}` : stepId;
  }

  private describe(event: RunEvent): string[] {
    const c = this.c;
    switch (event.type) {
      case 'run.started': {
        const rto = event.runbook.rtoMs ? `, RTO ${formatDuration(event.runbook.rtoMs)}` : '';
        for (const phase of event.phases) for (const step of phase.steps) this.phaseOf.set(step.id, phase.id);
        const badge = event.mode === 'drill' ? c.blue('[DRILL]') : c.red('[INCIDENT]');
        const lines = [
          `${badge} ${c.bold(event.runbook.title)} (${event.runbook.id}) run ${event.runId}${event.resumed ? ' resumed' : ''}${rto}`,
        ];
        if (event.target)
          lines.push(
            `  ${event.restoresInto ? `from ${event.target}, restores into ${event.restoresInto}` : `target ${event.target}`}, operator ${event.operator}`,
          );
        if (event.resumed) lines.push(`  ${this.resumedLine()}`);
        return lines;
      }
      case 'phase.started':
        return [c.bold(`» ${event.phaseId}: ${event.title}`)];
      case 'phase.finished':
        return [
          `${c[statusColour[event.status]](`» ${event.phaseId} ${event.status}`)} in ${formatDuration(event.durationMs)}`,
        ];
      case 'step.started':
        this.phaseOf.set(event.stepId, event.phaseId);
        return [
          `${c.cyan(stepSymbol.running)} ${this.step(event.stepId)} started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`,
        ];
      case 'step.finished': {
        this.phaseOf.set(event.stepId, event.phaseId);
        for (const key of this.progress.keys()) if (key.startsWith(`${event.stepId}:`)) this.progress.delete(key);
        const head = `${c[statusColour[event.status]](`${stepSymbol[event.status]} ${this.step(event.stepId)} ${event.status}`)} in ${formatDuration(event.durationMs)}`;
        const lines = [
          event.error ? `${head}: ${event.error}` : event.reason ? `${head}: ${c.yellow(event.reason)}` : head,
        ];
        if (event.hint) lines.push(`  ${c.yellow('hint:')} ${event.hint}`);
        return lines;
      }
      case 'step.destructive':
        return [c.yellow(`! ${this.step(event.stepId)} changes ${event.database} (${event.what}) from here on`)];
      case 'safety.snapshot':
        return [`  safety snapshot ${event.id} of ${event.database} taken into ${event.repository}`];
      case 'restore.timing':
        // The step's own log lines say the prediction; the report sets it against the actual phases.
        return [];
      case 'step.cancelling':
        return [c.yellow(`■ ${this.step(event.stepId)} cancelling (${event.reason})…`)];
      case 'task.updated':
        return event.state === 'pending' ? [] : [`  ${taskSymbol[event.state]} ${event.title}`];
      case 'progress':
        return this.progressLine(event);
      case 'log':
        if (event.level === 'debug' && !this.verbose) return [];
        if (event.level === 'warn') return [`  ${c.yellow('warning:')} ${event.message}`];
        if (event.level === 'error') return [`  ${c.red('error:')} ${event.message}`];
        return [`  ${event.message}`];
      case 'prompt.asked':
        // The question is printed with its answer: in a terminal, Inquirer draws it itself in between.
        this.questions.set(event.prompt.id, event.prompt.message);
        return [];
      case 'prompt.answered': {
        const answer = Array.isArray(event.answer)
          ? event.answer.join(', ')
          : typeof event.answer === 'boolean'
            ? event.answer
              ? 'yes'
              : 'no'
            : event.answer;
        return [`${c.cyan('?')} ${this.questions.get(event.promptId) ?? event.promptId} ${c.cyan(answer)}`];
      }
      case 'undo.started':
        return [`${c.yellow('↺')} undo ${this.step(event.stepId)}: ${event.title}`];
      case 'undo.finished':
        return [
          `${c[statusColour[event.status]](`↺ undo ${this.step(event.stepId)} ${event.status}`)}${event.error ? `: ${event.error}` : ''}`,
        ];
      case 'run.finished':
        return this.summary(event);
      case 'run.signed':
        return [`${c.green('✔')} signed by ${printable(event.approver)}`];
    }
  }

  /** What the journal said before this attempt: how far the run had got, and since when the RTO clock runs. */
  private resumedLine(): string {
    const steps = stepsOf(this.state);
    const done = steps.filter((s) => s.status === 'succeeded' || s.status === 'skipped').length;
    const since = this.state.startedAt;
    return `resumed: ${done} of ${steps.length} steps already done${since ? `; the RTO clock runs from ${formatTimeOfDay(since)} (${formatDuration(Date.now() - since)} ago)` : ''}`;
  }

  private progressLine(event: Extract<RunEvent, { type: 'progress' }>): string[] {
    const key = `${event.stepId ?? ''}:${event.label}`;
    const previous = this.progress.get(key);
    const { restarted, ...sample } = nextSample(previous, event);
    const track: ProgressTrack = {
      ...sample,
      printedAt: previous?.printedAt ?? -Infinity,
      printedTenth: previous?.printedTenth ?? -1,
    };
    const stats = progressStats(track);
    const tenth = stats.fraction === undefined ? -1 : Math.floor(stats.fraction * 10);
    const due = restarted || event.at - track.printedAt >= PROGRESS_EVERY_MS || tenth > track.printedTenth;
    this.progress.set(key, due ? { ...track, printedAt: event.at, printedTenth: tenth } : track);
    if (!due) return [];
    const parts = [`  ${event.label}`, formatAmount(event.done, event.unit)];
    if (event.total !== undefined)
      parts[1] += ` / ${formatAmount(event.total, event.unit)} (${Math.floor((stats.fraction ?? 0) * 100)}%)`;
    if (stats.rate !== undefined) parts.push(formatRate(stats.rate, event.unit));
    if (stats.etaMs !== undefined) parts.push(`ETA ${formatClock(stats.etaMs)}`);
    return [parts.join('  ')];
  }

  private summary(event: Extract<RunEvent, { type: 'run.finished' }>): string[] {
    const c = this.c;
    const colour = event.status === 'passed' ? c.green : event.status === 'failed' ? c.red : c.yellow;
    const symbol = event.status === 'passed' ? '✔' : event.status === 'failed' ? '✖' : '■';
    const lines = [
      colour(`${symbol} run ${event.status} in ${formatDuration(event.durationMs)}`) +
        (event.error ? `: ${event.error}` : ''),
    ];
    const rto = rtoVerdict(event);
    if (rto) lines.push(`  ${event.status === 'passed' && event.rtoMet !== false ? c.green(rto) : c.red(rto)}`);
    if (event.rpoMs !== undefined) lines.push(`  RPO ${formatDuration(event.rpoMs)}`);
    for (const s of this.state.safetySnapshots)
      lines.push(`  safety snapshot ${s.id} of ${s.database} in ${s.repository}`);
    for (const t of aftermath(this.state).filter((t) => !t.complete))
      lines.push(`  ${c.yellow('!')} ${t.database}: ${t.state}`);
    const next = nextSteps(this.state);
    if (next.length) lines.push('  next steps:');
    for (const step of next) lines.push(`    ${step.what}: ${step.command}`);
    // The report paths come last, where scripts and CI logs look for them.
    for (const path of event.reportPaths ?? []) lines.push(`  report ${path}`);
    return lines;
  }
}

export function plainChalk(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  return new Chalk({ level: stream.isTTY && !noColorRequested(env) ? 1 : 0 });
}

/** Plain mode: timestamped lines on stdout, no ANSI unless stdout is a terminal and NO_COLOR is unset. */
export function renderPlain(handle: RunHandle, options: PlainOptions = {}): RunRendering {
  const stdout = options.stdout ?? process.stdout;
  const lines = new PlainLines(plainChalk(stdout, options.env), options.verbose, journalSoFar(handle));
  return followRun(handle, (event) => {
    for (const line of lines.lines(event)) stdout.write(line + '\n');
  });
}
