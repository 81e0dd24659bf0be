import { z } from 'zod';
import { defineAction } from './registry.js';
import { startProcess } from '../core/system.js';
import { redact } from '../core/secrets.js';
import { hookVariables } from './hook-env.js';

/**
 * A shell hook (DNS switch, config push, deploy). The command line is the runbook's own text: the run's values reach
 * it only as environment variables, so nothing a database or a repository holds can become part of a command. Runs
 * through core/system, the one module that spawns processes (redaction and abort in one place); output lines become
 * log events.
 */
export const shell = defineAction({
  name: 'shell',
  describe:
    'Run a shell command with /bin/sh -c; the run’s values are in its environment (PGDR_INPUT_<NAME>, PGDR_OUT_<STEP>_<NAME>); its output goes to the log; the step timeout kills it.',
  with: z
    .object({
      command: z
        .string()
        .min(1)
        .describe(
          'A shell command line, without ${{ }}: use "$PGDR_OUT_<STEP>_<NAME>", "$PGDR_INPUT_<NAME>" or with.env',
        ),
      cwd: z.string().optional(),
      env: z
        .record(z.string(), z.string())
        .optional()
        .describe('Extra environment variables (the way to pass secrets, and any ${{ }} value)'),
    })
    .strict(),
  templates: { command: 'environment' },
  outputs: ['stdout', 'lines'],
  async run(ctx, a) {
    const values = hookVariables(ctx);
    for (const name of values.leftOut.filter((n) => a.command.includes(n)))
      ctx.log.warn(`${name} is over 100 KiB and was left out of the command's environment.`);
    const proc = startProcess('/bin/sh', ['-c', a.command], {
      cwd: a.cwd,
      env: {
        ...process.env,
        ...values.env,
        ...(a.env ?? {}),
        PGDR_RUN_ID: ctx.runId,
        PGDR_RUN_DIR: ctx.runDir,
        PGDR_MODE: ctx.mode,
      },
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
