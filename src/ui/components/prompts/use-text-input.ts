import { useInput } from 'ink';
import { useLiveState } from './use-live-state.js';

/**
 * A one-line text field: printable keys and pastes append, backspace deletes, enter submits the value. Keys can
 * arrive in one chunk (a paste, or a slow SSH link that batches what was typed): text then a line break in one
 * chunk is typed text followed by enter, and what comes after the break is dropped with the question.
 */
export function useTextInput(onSubmit: (value: string) => void, onChange?: () => void): string {
  const [value, current, setValue] = useLiveState('');
  useInput((input, key) => {
    if (key.return) onSubmit(current());
    else if (key.backspace || key.delete) {
      setValue(current().slice(0, -1));
      onChange?.();
    } else if (input && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) {
      const lineBreak = input.search(/[\r\n]/);
      setValue(current() + (lineBreak < 0 ? input : input.slice(0, lineBreak)));
      onChange?.();
      if (lineBreak >= 0) onSubmit(current());
    }
  });
  return value;
}
