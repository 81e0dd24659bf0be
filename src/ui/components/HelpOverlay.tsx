import { Box, Text } from 'ink';

const keys: [string, string][] = [
  ['?', 'show or hide this help'],
  ['l', 'switch between the steps and the full log'],
  ['/', 'in the full log: find text (n next, N previous)'],
  ['q', 'stop: keep going, suspend (resume later) or abort'],
  ['ctrl-c', 'the same, also while a question is open'],
  ['↑ ↓', 'move in a list'],
  ['space', 'tick a checklist item'],
  ['enter', 'submit the answer'],
  ['esc', 'close this help'],
];

export function HelpOverlay() {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {keys.map(([key, what]) => (
        <Box key={key}>
          <Box width={8} flexShrink={0}>
            <Text color="cyan">{key}</Text>
          </Box>
          <Text wrap="truncate-end">{what}</Text>
        </Box>
      ))}
    </Box>
  );
}
