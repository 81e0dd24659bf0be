import { expect, it } from 'vitest';
import { chooseMode } from './mode.js';

it('picks json over plain over the TUI, and plain when stdout is not a terminal', () => {
  expect(chooseMode({ json: true, plain: true, isTTY: true })).toBe('json');
  expect(chooseMode({ plain: true, isTTY: true })).toBe('plain');
  expect(chooseMode({ isTTY: false })).toBe('plain');
  expect(chooseMode({ isTTY: true })).toBe('tui');
});
