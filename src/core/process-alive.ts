import { readFileSync } from 'node:fs';

/** Whether a process with this id exists (ours or someone else's). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether that process is still a pgdr (its id may have been given to another program since). */
export function pgdrAlive(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pgdr');
  } catch {
    // No /proc here (macOS): the process exists, which is all that can be known.
    return true;
  }
}
