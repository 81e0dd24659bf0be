import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { redact } from './secrets.js';
import { PgdrError } from './errors.js';

/**
 * The one place pgdr starts a subprocess. Secrets go in `env`, never in `args`; stderr is kept (the last 64 KiB,
 * redacted) so a failure can say what the tool said.
 */
export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  /** 'pipe' gives a stream on `stdin` / `stdout`; 'ignore' discards; 'inherit' passes through; a number is an open file. */
  stdin?: 'pipe' | 'ignore' | 'inherit';
  stdout?: 'pipe' | 'ignore' | 'inherit' | number;
  /** The child gets SIGTERM when pgdr dies, even by SIGKILL (Linux, through util-linux's setpriv where installed). */
  endsWithPgdr?: boolean;
  /** Called with each complete stderr line (redacted). */
  onStderrLine?: (line: string) => void;
}

export interface RunningProcess {
  child: ChildProcess;
  stdin: Writable | null;
  stdout: Readable | null;
  /** Resolves when the process exits with 0; rejects with a ProcessFailed otherwise. */
  done: Promise<void>;
  stderrTail(): string;
  kill(signal?: NodeJS.Signals): void;
}

export class ProcessFailed extends PgdrError {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly signalName: NodeJS.Signals | null,
    readonly stderr: string,
  ) {
    const how = signalName ? `was killed by ${signalName}` : `exited with code ${code}`;
    const said = stderr.trim() ? `: ${significantLines(stderr)}` : '';
    super(`${command} ${how}${said}`);
  }
}

const STDERR_KEEP = 64 * 1024;

export function startProcess(command: string, args: string[], options: SpawnOptions = {}): RunningProcess {
  const stdio: StdioOptions = [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'];
  const setpriv = options.endsWithPgdr && process.platform === 'linux' ? findOnPath('setpriv') : undefined;
  const [file, argv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGTERM', '--', command, ...args]] : [command, args];
  const child = spawn(file, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio });
  let stderr = '';
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
    if (!options.onStderrLine) return;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) options.onStderrLine(redact(line));
  });
  const onAbort = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const name = command.split('/').pop() ?? command;
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        error.code === 'ENOENT'
          ? new PgdrError(`${name} was not found.`, { hint: `Install it or put it on PATH.` })
          : error,
      );
    });
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (partial.trim() && options.onStderrLine) options.onStderrLine(redact(partial));
      if (code === 0) resolve();
      else reject(new ProcessFailed(name, code, signal, redact(stderr)));
    });
  });
  // Callers that only await `done` later must not see an unhandled rejection in the meantime.
  done.catch(() => {});
  return {
    child,
    stdin: child.stdin,
    stdout: child.stdout,
    done,
    stderrTail: () => redact(stderr),
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Runs to completion and returns stdout as text. */
export async function runProcess(
  command: string,
  args: string[],
  options: Omit<SpawnOptions, 'stdout'> & { input?: string } = {},
): Promise<string> {
  const proc = startProcess(command, args, {
    ...options,
    stdin: options.input === undefined ? options.stdin : 'pipe',
    stdout: 'pipe',
  });
  let out = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => (out += chunk));
  if (options.input !== undefined) proc.stdin?.end(options.input);
  await proc.done;
  return out;
}

/** The tool's error lines (verbose tools print many others), else its last two lines. */
function significantLines(text: string): string {
  const lines = text.trim().split('\n');
  const errors = lines.filter((l) => /error|fatal|could not|failed|denied|no space|abort/i.test(l));
  return (errors.length ? errors.slice(-4) : lines.slice(-2)).join('\n');
}

/** The first `name` in a PATH directory, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
