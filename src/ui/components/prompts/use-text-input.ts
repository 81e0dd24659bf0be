import { useInput } from 'ink';
import { useLiveState } from './use-live-state.js';

/** A one-line text field: printable keys and pastes append, backspace deletes, enter submits the value. */
export function useTextInput(onSubmit: (value: string) => void, onChange?: () => void): string {
  const [value, current, setValue] = useLiveState('');
  useInput((input, key) => {
    if (key.return) onSubmit(current());
    else if (key.backspace || key.delete) {
      setValue(current().slice(0, -1));
      onChange?.();
    } else if (input && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) {
      setValue(current() + input.replace(/[\r\n]/g, ''));
      onChange?.();
    }
  });
  return value;
}
