import { execFileSync } from 'node:child_process';
import { connect } from '../../src/pg/client.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Holds a lock pg_dump must wait for (ACCESS EXCLUSIVE), so a backup is surely running while the test acts; or, in
 * SHARE mode, one that holds off only writers (on a catalog: the statements that change it).
 */
export async function holdTableLock(
  cluster: LocalCluster,
  database: string,
  table: string,
  mode: 'access exclusive' | 'share' = 'access exclusive',
): Promise<{ release(): Promise<void> }> {
  const client = await connect(cluster.target(database));
  await client.query(`begin; lock table ${table} in ${mode} mode`);
  return {
    release: async () => {
      await client.query('rollback');
      await client.end();
    },
  };
}

/**
 * The pg_dump started by one pgdr process (its child): scoped by parent, because test files run in parallel and
 * must never touch each other's processes.
 */
export function childOf(parentPid: number, name: 'pg_dump' | 'pg_restore', argsPattern = ''): number | undefined {
  try {
    return Number(
      execFileSync('pgrep', ['-P', String(parentPid), '-f', `^\\S*${name} .*${argsPattern}`])
        .toString()
        .trim()
        .split('\n')[0],
    );
  } catch {
    return undefined;
  }
}

// The dump itself, not the `pg_dump --version` pgdr runs first to check the tool.
export const pgDumpOf = (pgdrPid: number) => childOf(pgdrPid, 'pg_dump', '--snapshot');

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for that pgdr's pg_dump to appear and SIGKILLs it; false if none appeared within the timeout. */
export async function killPgDump(pgdrPid: () => number, timeoutMs = 15_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    await sleep(50);
    const pid = pgdrPid() ? pgDumpOf(pgdrPid()) : undefined;
    if (pid) {
      process.kill(pid, 'SIGKILL');
      return true;
    }
  }
  return false;
}
