import { runProcess, startProcess, type RunningProcess } from '../../core/system.js';
import type { Logger } from '../../core/context.js';
import { findTool } from '../../pg/tools.js';
import { asServerUser } from '../../pg/server-user.js';

/** What pgBackRest accepts as a stanza name; anything else is refused before it reaches a command line. */
export const STANZA_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Where pgBackRest finds its configuration and which stanza it works on. */
export interface PgbackrestTarget {
  stanza: string;
  /** pgbackrest.conf; pgBackRest's default (/etc/pgbackrest/pgbackrest.conf, then /etc/pgbackrest.conf) when absent. */
  configPath?: string;
}

export interface PgbackrestRunOptions {
  signal?: AbortSignal;
  log?: Logger;
  /** Each stderr line, after the log has seen it (a backup reads its progress from the detail lines). */
  onStderrLine?: (line: string) => void;
  /** pgBackRest's stderr log level; default info. */
  stderrLevel?: 'info' | 'detail';
}

/** `pgbackrest --config=… --stanza=… <command> …`, as the server user when root (it reads PGDATA and the repo). */
export async function runPgbackrest(
  target: PgbackrestTarget,
  command: string,
  args: string[] = [],
  options: PgbackrestRunOptions = {},
): Promise<string> {
  const tool = await findTool('pgbackrest');
  const global = globalArgs(target, options.stderrLevel);
  const [cmd, argv] = asServerUser(tool.path, [...global, command, ...args]);
  options.log?.debug(`pgbackrest ${[...global, command, ...args].join(' ')}`);
  const onLine =
    options.log || options.onStderrLine
      ? (line: string) => {
          options.log?.debug(line);
          options.onStderrLine?.(line);
        }
      : undefined;
  return await runProcess(cmd, argv, { signal: options.signal, cwd: '/', onStderrLine: onLine });
}

export function globalArgs(target: PgbackrestTarget, stderrLevel: 'info' | 'detail' = 'info'): string[] {
  // Console output off so stdout stays machine-readable (info --output=json); messages go to stderr for the log.
  const logging = ['--log-level-console=off', `--log-level-stderr=${stderrLevel}`];
  return [...(target.configPath ? [`--config=${target.configPath}`] : []), ...logging, `--stanza=${target.stanza}`];
}

/** `pgbackrest <command>` with its stdout as a stream (repo-get of a binary file), as the server user when root. */
export async function startPgbackrest(
  target: PgbackrestTarget,
  command: string,
  args: string[],
  options: { signal?: AbortSignal } = {},
): Promise<RunningProcess> {
  const tool = await findTool('pgbackrest');
  const [cmd, argv] = asServerUser(tool.path, [...globalArgs(target), command, ...args]);
  return startProcess(cmd, argv, { stdout: 'pipe', signal: options.signal, cwd: '/' });
}
