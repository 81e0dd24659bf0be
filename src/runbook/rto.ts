import { formatDuration, parseDuration } from '../core/duration.js';
import type { Runbook } from './schema.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The incident time: the `disaster_time` input when given (any Date-parsable text), else the run's start. */
export function disasterTime(inputs: Readonly<Record<string, unknown>>, startedAt: number): number {
  const given = inputs.disaster_time;
  if (given === undefined || given === '') return startedAt;
  const at = Date.parse(String(given));
  return Number.isNaN(at) ? startedAt : at;
}

/** The newest `recoveryPoint` output (a backup's snapshot time, a PITR target) among finished steps. */
export function recoveryPoint(outputs: Iterable<Record<string, unknown>>): number | undefined {
  let latest: number | undefined;
  for (const out of outputs) {
    const value = out.recoveryPoint;
    if (value === undefined || value === null || value === '') continue;
    const at = typeof value === 'number' ? value : Date.parse(String(value));
    if (!Number.isNaN(at)) latest = latest === undefined ? at : Math.max(latest, at);
  }
  return latest;
}

/** RPO actual = incident time − recovery point: how much data the recovery gave up. */
export function rpoActual(
  inputs: Readonly<Record<string, unknown>>,
  startedAt: number,
  outputs: Iterable<Record<string, unknown>>,
): number | undefined {
  const point = recoveryPoint(outputs);
  return point === undefined ? undefined : Math.max(0, disasterTime(inputs, startedAt) - point);
}

/** Warns once at 80 % and 100 % of the RTO and at each escalation threshold of the runbook. */
export class RtoWatch {
  private readonly fired = new Set<string>();
  readonly rtoMs: number;

  constructor(
    private readonly runbook: Runbook,
    private readonly startedAt: number,
    private readonly clock: Clock,
    private readonly warn: (message: string) => void,
  ) {
    this.rtoMs = parseDuration(runbook.rto);
  }

  check(): void {
    const elapsed = this.clock.now() - this.startedAt;
    const marks: [string, number, string][] = [
      ['rto-80', this.rtoMs * 0.8, `80% of the RTO (${this.runbook.rto}) is used: ${formatDuration(elapsed)} elapsed.`],
      ['rto-100', this.rtoMs, `The RTO (${this.runbook.rto}) is exceeded: ${formatDuration(elapsed)} elapsed.`],
    ];
    for (const e of this.runbook.escalation ?? []) {
      marks.push([
        `esc-${e.after}-${e.contact}`,
        parseDuration(e.after),
        `Escalate to ${e.contact}: ${formatDuration(elapsed)} elapsed${e.note ? ` — ${e.note}` : ''}.`,
      ]);
    }
    for (const [key, at, message] of marks) {
      if (elapsed >= at && !this.fired.has(key)) {
        this.fired.add(key);
        this.warn(message);
      }
    }
  }
}
