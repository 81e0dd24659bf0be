import { redactedJson } from '../core/secrets.js';
import type { RunHandle } from '../runbook/run-handle.js';
import { followRun, type RunRendering } from './rendering.js';

/** --json: one event per line on stdout and nothing else, for scripts and CI. */
export function printRunJson(handle: RunHandle, stdout: NodeJS.WritableStream = process.stdout): RunRendering {
  return followRun(handle, (event) => {
    stdout.write(redactedJson(event) + '\n');
  });
}
