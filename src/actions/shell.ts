import { z } from 'zod';
import { defineAction } from './registry.js';
import { startProcess } from '../core/system.js';
import { redact } from '../core/secrets.js';

/**
 * A shell hook (DNS switch, config push, deploy). Runs through core/system — the one module that spawns processes —
 * rather than zx's own spawner, so redaction and abort handling stay in one place. Output lines become log events.
 */
export const shell = defineAction({
  name: 'shell',
  describe: 'Run a shell command with /bin/sh -c; its output goes to the log; the step timeout kills it.',
  with: z
    .object({
      command: z.string().min(1),
      cwd: z.string().optional(),
      env: z
        .record(z.string(), z.string())
        .optional()
        .describe('Extra environment variables (the way to pass secrets)'),
    })
    .strict(),
  outputs: ['stdout', 'lines'],
  async run(ctx, a) {
    const proc = startProcess('/bin/sh', ['-c', a.command], {
      cwd: a.cwd,
      env: { ...process.env, ...(a.env ?? {}), PGDR_RUN_ID: ctx.runId, PGDR_RUN_DIR: ctx.runDir, PGDR_MODE: ctx.mode },
      signal: ctx.signal,
      onStderrLine: (line) => ctx.log.warn(line),
    });
    let stdout = '';
    let partial = '';
    let lines = 0;
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      stdout = (stdout + chunk).slice(-8192);
      partial += chunk;
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) {
        lines++;
        ctx.log.info(redact(line));
      }
    });
    await proc.done;
    if (partial) {
      lines++;
      ctx.log.info(redact(partial));
    }
    return { stdout: redact(stdout.trimEnd()), lines };
  },
});
