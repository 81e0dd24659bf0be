export type RenderMode = 'tui' | 'plain' | 'json';

/** --json wins, then --plain; the TUI only when stdout is a terminal. */
export function chooseMode(options: { plain?: boolean; json?: boolean; isTTY?: boolean }): RenderMode {
  if (options.json) return 'json';
  if (options.plain || !options.isTTY) return 'plain';
  return 'tui';
}
