import { useState } from 'react';
import { useInput } from 'ink';

/** A one-line text field: printable keys and pastes append, backspace deletes, enter submits the value. */
export function useTextInput(onSubmit: (value: string) => void, onChange?: () => void): string {
  const [value, setValue] = useState('');
  useInput((input, key) => {
    if (key.return) onSubmit(value);
    else if (key.backspace || key.delete) {
      setValue((v) => v.slice(0, -1));
      onChange?.();
    } else if (input && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) {
      setValue((v) => v + input.replace(/[\r\n]/g, ''));
      onChange?.();
    }
  });
  return value;
}
