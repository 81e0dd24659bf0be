import { ProcessFailed, runProcess } from '../../core/system.js';
import { ConnectionFailed } from '../../core/errors.js';
import { findTool } from '../../pg/tools.js';
import { asServerUser } from '../../pg/server-user.js';

/** A local server reached through its Unix socket as the `postgres` role (peer or trust auth, no password). */
export interface LocalServer {
  port: number;
  socketDir: string;
  user?: string;
}

/**
 * Runs SQL through psql over the Unix socket, as the server OS user when root: the way an operator on the database
 * host gets in without a password. Returns unaligned, tuples-only output.
 */
export async function serverSql(
  server: LocalServer,
  sql: string,
  options: { signal?: AbortSignal; major?: number } = {},
): Promise<string> {
  const psql = await findTool('psql', options.major);
  const [cmd, args] = asServerUser(psql.path, [
    '-X',
    '-q',
    '-At',
    '-v',
    'ON_ERROR_STOP=1',
    '-h',
    server.socketDir,
    '-p',
    String(server.port),
    '-U',
    server.user ?? 'postgres',
    '-d',
    'postgres',
    '-f',
    '-',
  ]);
  // Through stdin, not -c: each statement runs on its own (ALTER SYSTEM refuses a transaction block).
  try {
    return (await runProcess(cmd, args, { signal: options.signal, cwd: '/', input: sql })).trim();
  } catch (error) {
    if (!(error instanceof ProcessFailed) || error.signalName) throw error;
    throw new ConnectionFailed(
      `psql on ${server.socketDir} port ${server.port}: ${error.stderr.trim().split('\n').at(-1)}`,
      {
        hint: 'Is the server running there, and are --port and --socket-dir right? pgdr connects through the Unix socket as the postgres user.',
        cause: error,
      },
    );
  }
}
