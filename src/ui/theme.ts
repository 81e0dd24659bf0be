import chalk from 'chalk';
import type { StepStatus } from '../runbook/events.js';
import type { TaskState } from '../actions/registry.js';

/** NO_COLOR (https://no-color.org): present and not empty turns colour off; chalk itself ignores it. */
export function noColorRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

/** Ink colours through the shared chalk instance, so lowering its level is how the TUI honours NO_COLOR. */
export function applyNoColor(env: NodeJS.ProcessEnv = process.env): void {
  if (noColorRequested(env)) chalk.level = 0;
}

/** Symbols stay distinct without colour. */
export const stepSymbol: Record<StepStatus, string> = {
  pending: '○',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  skipped: '↷',
  aborted: '■',
};

export const taskSymbol: Record<TaskState, string> = {
  pending: '○',
  running: '▶',
  done: '✔',
  failed: '✖',
  skipped: '↷',
};

export type Colour = 'green' | 'yellow' | 'red' | 'cyan' | 'gray' | 'blue' | 'magenta';

export const stepColour: Record<StepStatus, Colour> = {
  pending: 'gray',
  running: 'cyan',
  succeeded: 'green',
  failed: 'red',
  skipped: 'gray',
  aborted: 'yellow',
};

export const taskColour: Record<TaskState, Colour> = {
  pending: 'gray',
  running: 'cyan',
  done: 'green',
  failed: 'red',
  skipped: 'gray',
};

/** Green while under 75 % of the RTO budget, yellow up to 100 %, red once over. */
export function rtoColour(fraction: number): Colour {
  if (fraction > 1) return 'red';
  if (fraction >= 0.75) return 'yellow';
  return 'green';
}
