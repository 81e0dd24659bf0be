import { Text } from 'ink';
import type { PromptRequest } from '../../core/prompt.js';

const promptKeys: Record<PromptRequest['kind'], string> = {
  confirm: 'y/n answer  enter default',
  select: '↑↓ choose  enter select',
  'type-name': 'type the name  enter submit',
  text: 'type  enter submit',
  checklist: '↑↓ move  space tick  enter submit',
};

interface Props {
  prompt?: PromptRequest;
  /** The stop dialog is open. */
  dialog: boolean;
  stopping?: 'suspend' | 'abort';
  finished: boolean;
  logView: boolean;
}

export function KeyLine({ prompt, dialog, stopping, finished, logView }: Props) {
  if (finished) return <Text dimColor>run finished</Text>;
  if (stopping)
    return (
      <Text color="yellow" wrap="truncate-end">
        {stopping === 'abort' ? 'aborting' : 'suspending'}: waiting for the running step to stop…
      </Text>
    );
  if (dialog) return <Text dimColor>↑↓ choose enter select esc keep going</Text>;
  const keys = prompt ? promptKeys[prompt.kind] : `? help  l ${logView ? 'steps' : 'full log'}`;
  return (
    <Text dimColor wrap="truncate-end">
      {`${keys}  `}
      {prompt ? 'ctrl-c stop' : 'q stop'}
    </Text>
  );
}
