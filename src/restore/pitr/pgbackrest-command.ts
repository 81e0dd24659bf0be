import { runProcess } from '../../core/system.js';
import type { Logger } from '../../core/context.js';
import { findTool } from '../../pg/tools.js';
import { asServerUser } from '../../pg/server-user.js';

/** Where pgBackRest finds its configuration and which stanza it works on. */
export interface PgbackrestTarget {
  stanza: string;
  /** pgbackrest.conf; pgBackRest's default (/etc/pgbackrest/pgbackrest.conf, then /etc/pgbackrest.conf) when absent. */
  configPath?: string;
}

/** `pgbackrest --config=… --stanza=… <command> …`, as the server user when root (it reads PGDATA and the repo). */
export async function runPgbackrest(
  target: PgbackrestTarget,
  command: string,
  args: string[] = [],
  options: { signal?: AbortSignal; log?: Logger } = {},
): Promise<string> {
  const tool = await findTool('pgbackrest');
  const [cmd, argv] = asServerUser(tool.path, [...globalArgs(target), command, ...args]);
  options.log?.debug(`pgbackrest ${[...globalArgs(target), command, ...args].join(' ')}`);
  return await runProcess(cmd, argv, {
    signal: options.signal,
    cwd: '/',
    onStderrLine: options.log ? (line) => options.log?.debug(line) : undefined,
  });
}

export function globalArgs(target: PgbackrestTarget): string[] {
  // Console output off so stdout stays machine-readable (info --output=json); messages go to stderr for the log.
  const logging = ['--log-level-console=off', '--log-level-stderr=info'];
  return [...(target.configPath ? [`--config=${target.configPath}`] : []), ...logging, `--stanza=${target.stanza}`];
}
