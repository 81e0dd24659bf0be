import type { Run, RunResult } from '../runbook/run-api.js';

export const ignore = (): void => {};

/** Runs `body` with these signal handlers in place of the defaults, and takes them away again however it ends. */
export async function handlingSignals<T>(
  handlers: Partial<Record<NodeJS.Signals, () => void>>,
  body: () => Promise<T>,
): Promise<T> {
  const entries = Object.entries(handlers) as [NodeJS.Signals, () => void][];
  for (const [signal, handler] of entries) process.on(signal, handler);
  try {
    return await body();
  } finally {
    for (const [signal, handler] of entries) process.off(signal, handler);
  }
}

/**
 * A hang-up, SIGTERM or Ctrl-C (outside the full screen, which asks) suspends the run, leaving it resumable; a
 * sandbox drill cannot be resumed (its cluster goes when it ends), so Ctrl-C aborts it and the rest stop it.
 */
export async function withSignals(run: Run, body: () => Promise<RunResult>, resumable: boolean): Promise<RunResult> {
  const handlers = {
    SIGINT: () => (resumable ? run.suspend('SIGINT') : run.requestAbort()),
    SIGHUP: () => run.suspend('SIGHUP'),
    SIGTERM: () => run.suspend('SIGTERM'),
  };
  const result = await handlingSignals(handlers, body);
  if (result.status === 'suspended') {
    process.stderr.write(
      resumable
        ? `Run ${result.runId} suspended; continue it with: pgdr run --resume ${result.runId}  (or: pgdr resume)\n`
        : `Sandbox drill ${result.runId} stopped; its cluster is removed, so it cannot be resumed: start a new one with pgdr drill --sandbox.\n`,
    );
  }
  return result;
}

/** 0 passed, 1 failed, 130 stopped by the operator (Ctrl-C, or Suspend on the screen), 129 hung up or terminated. */
export function exitCodeOf(result: RunResult): number {
  if (result.status === 'passed') return 0;
  if (result.status === 'aborted') return 130;
  if (result.status === 'suspended')
    return result.suspendedBy === 'SIGINT' || result.suspendedBy?.includes('operator') ? 130 : 129;
  return result.exitCode ?? 1;
}
