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
  abortRequested: boolean;
  finished: boolean;
  logView: boolean;
}

export function KeyLine({ prompt, abortRequested, finished, logView }: Props) {
  if (finished) return <Text dimColor>run finished</Text>;
  const abort = abortRequested ? 'abort requested' : prompt ? 'ctrl-c abort' : 'q abort';
  const keys = prompt ? promptKeys[prompt.kind] : `? help  l ${logView ? 'steps' : 'full log'}`;
  return (
    <Text dimColor wrap="truncate-end">
      {`${keys}  `}
      <Text color={abortRequested ? 'yellow' : undefined}>{abort}</Text>
    </Text>
  );
}
