import { useInput, type Key } from 'ink';

/**
 * `useInput` for questions answered key by key (checklist, select, confirm). Ink hands plain keys that arrive in one
 * chunk to its handler as one string — typing fast in tmux or over a slow SSH link sends " \r" for space then enter —
 * so they are taken apart here and given one at a time, a line break as enter. The handler returns true when it has
 * answered: what came after the answer in the same chunk belonged to nobody and is dropped with the question.
 */
export function useKeys(handler: (input: string, key: Key) => boolean | void, options?: { isActive?: boolean }): void {
  useInput((input, key) => {
    if (input.length <= 1 || key.ctrl || key.meta || input.includes('\u001B')) {
      handler(input, key);
      return;
    }
    for (const char of input) {
      const enter = char === '\r' || char === '\n';
      if (handler(enter ? '' : char, { ...key, return: enter })) return;
    }
  }, options);
}
