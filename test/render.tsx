import type { ReactNode } from 'react';
import { render } from 'ink';
import { createTerminal } from './ui/terminal.js';

export { createTerminal, keys, type Terminal } from './ui/terminal.js';

/** Renders a component into a fresh fake terminal; every frame is kept whole (Ink debug mode). */
export function renderInk(node: ReactNode, size: { columns?: number; rows?: number } = {}) {
  const terminal = createTerminal(size);
  const instance = render(node, {
    stdout: terminal.stdout,
    stderr: terminal.stderr,
    stdin: terminal.stdin,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return { ...terminal, unmount: () => instance.unmount(), rerender: instance.rerender };
}
