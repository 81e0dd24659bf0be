import { execFileSync } from 'node:child_process';
import { afterAll } from 'vitest';

/** A tmux server of this test file's own (its socket), killed after the file's tests. */
export function tmuxServer(name: string) {
  const socket = `pgdr-${name}-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone with its last session.
    }
  });
  return tmux;
}

export const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** One tmux session: what its pane shows, waiting for it, and keys typed into it. */
export function tmuxSession(tmux: (...args: string[]) => string, session: string) {
  const seen: string[] = [];
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  return {
    seen,
    screen,
    async until(what: string, predicate: (text: string) => boolean, timeoutMs = 60_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = screen();
        if (seen.at(-1) !== text) seen.push(text);
        if (predicate(text)) return text;
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; the screen shows:\n${text}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    async keys(...names: string[]): Promise<void> {
      for (const name of names) {
        tmux('send-keys', '-t', session, name);
        await new Promise((r) => setTimeout(r, 120));
      }
    },
    type(text: string): void {
      tmux('send-keys', '-t', session, '-l', text);
    },
  };
}
