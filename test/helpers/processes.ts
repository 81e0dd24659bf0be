import { readdirSync, readFileSync } from 'node:fs';

/** Live processes (not zombies) whose command line is exactly `argv`, read from /proc. */
export function processesRunning(argv: string[]): number[] {
  const wanted = argv.join('\0') + '\0';
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') !== wanted) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') found.push(Number(entry));
    } catch {
      // Gone already.
    }
  }
  return found;
}

/** Polls until no process runs `argv` (true), or gives up after `withinMs` (false): for what a kill should end. */
export async function goneWithin(argv: string[], withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (processesRunning(argv).length > 0) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** A `sleep` no other process on the machine runs: 47 seconds and a random fraction. */
export function uniqueSleep(): string[] {
  return ['sleep', `47.${String(Math.random()).slice(2, 10)}`];
}

/** The process ids below `root` (children, grandchildren …), read from /proc's parent links. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone already.
    }
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0;) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/**
 * SIGKILL to pgdr's process group and to every group its children lead (each child of pgdr leads its own): the
 * whole tree dies at once, as when the machine or its container is lost.
 */
export function killTree(root: number): void {
  // Stopped first, so that nothing new starts between reading the tree and killing it.
  process.kill(-root, 'SIGSTOP');
  const groups = new Set([root, ...descendantsOf(root)]);
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}
