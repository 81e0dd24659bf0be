import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
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
  /** How long a stopped process group has between SIGTERM and SIGKILL (default 5 s). */
  killGraceMs?: number;
}

export interface RunningProcess {
  child: ChildProcess;
  stdin: Writable | null;
  stdout: Readable | null;
  /** Resolves when the process exits with 0; rejects with a ProcessFailed otherwise. */
  done: Promise<void>;
  stderrTail(): string;
  /** Ends the process and everything it started: SIGTERM to its group, SIGKILL after the grace period. */
  kill(): void;
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
const KILL_GRACE_MS = 5000;

/** Process groups pgdr started that may still hold a process; whatever is left when pgdr exits is killed. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone already.
  }
}

function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const group of liveGroups) signalGroup(group, 'SIGKILL');
  });
}

/**
 * Every child leads a process group of its own (a new session), so that a timeout or an abort ends what it started
 * too (`sh -c 'sleep 47; …'`), the way cli-kit's tree kill does; the terminal's signals reach pgdr, which stops them.
 */
export function startProcess(command: string, args: string[], options: SpawnOptions = {}): RunningProcess {
  const stdio: StdioOptions = [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'];
  const setpriv = options.endsWithPgdr && process.platform === 'linux' ? findOnPath('setpriv') : undefined;
  const [file, argv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGTERM', '--', command, ...args]] : [command, args];
  const child = spawn(file, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio, detached: true });
  const pgid = child.pid;
  if (pgid !== undefined) trackGroup(pgid);
  let stderr = '';
  let partial = '';
  let stopping = false;
  let closed = false;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
    if (!options.onStderrLine) return;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) options.onStderrLine(redact(line));
  });
  const stop = () => {
    if (pgid === undefined || stopping) return;
    stopping = true;
    signalGroup(pgid, 'SIGTERM');
    // Grandchildren may outlive the child (or ignore SIGTERM): the group gets SIGKILL after the grace period anyway.
    setTimeout(() => {
      signalGroup(pgid, 'SIGKILL');
      liveGroups.delete(pgid);
    }, options.killGraceMs ?? KILL_GRACE_MS).unref();
  };
  const onAbort = () => stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // An abort that came before the start reaches no listener: the process is stopped as soon as it exists.
  if (options.signal?.aborted) stop();
  const name = command.split('/').pop() ?? command;
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(error.code === 'ENOENT' ? notFound(name) : error);
    });
    child.once('close', (code, signal) => {
      closed = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (pgid !== undefined && !stopping) liveGroups.delete(pgid);
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
    kill: () => {
      if (!closed) stop();
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

/** Runs a quick lookup (`id -u postgres`) to completion where the caller cannot wait: stdout as text. */
export function runProcessSync(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const name = command.split('/').pop() ?? command;
  if (result.error) throw (result.error as NodeJS.ErrnoException).code === 'ENOENT' ? notFound(name) : result.error;
  if (result.status !== 0) throw new ProcessFailed(name, result.status, result.signal, redact(result.stderr));
  return result.stdout;
}

function notFound(name: string): PgdrError {
  return new PgdrError(`${name} was not found.`, { hint: `Install it or put it on PATH.` });
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
