import { useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { logMatches, logPrefix, logWindow } from '../log-window.js';
import type { LogLine } from '../run-state.js';
import { useTextInput } from './prompts/use-text-input.js';

const levelColour = { debug: 'gray', info: undefined, warn: 'yellow', error: 'red' } as const;

interface Props {
  logs: LogLine[];
  rows: number;
  columns: number;
  /** Typing a search: the screen's own keys (q, l, ?) are letters of it until enter or esc. */
  onSearching: (searching: boolean) => void;
}

function SearchField({ onDone }: { onDone: (query: string | undefined) => void }) {
  const value = useTextInput((typed) => onDone(typed));
  useInput((_input, key) => {
    if (key.escape) onDone(undefined);
  });
  return (
    <Text>
      <Text color="cyan">search: </Text>
      {value}
      <Text inverse> </Text>
    </Text>
  );
}

/** The whole log (l): long lines wrap; ↑↓ and page up/down scroll; / finds text, n and N go to the next and previous. */
export function LogView({ logs, rows, columns, onSearching }: Props) {
  // How many lines the window ends before the newest; 0 follows the log as it grows.
  const [back, setBack] = useState(0);
  const [searching, setSearching] = useState(false);
  const [query, setQuery] = useState('');
  const [match, setMatch] = useState(0);
  const matches = logMatches(logs, query);
  const body = Math.max(1, rows - 2);
  const scroll = (by: number) => setBack((b) => Math.max(0, Math.min(logs.length - 1, b + by)));
  const show = (n: number) => {
    if (matches.length === 0) return;
    const i = ((n % matches.length) + matches.length) % matches.length;
    setMatch(i);
    // The match at the bottom of the window, so the lines before it give its context.
    setBack(logs.length - 1 - matches[i]!);
  };
  useInput(
    (input, key) => {
      if (key.upArrow) scroll(1);
      else if (key.downArrow) scroll(-1);
      else if (key.pageUp) scroll(body);
      else if (key.pageDown) scroll(-body);
      else if (input === '/') {
        setSearching(true);
        onSearching(true);
      } else if (input === 'n') show(match + 1);
      else if (input === 'N') show(match - 1);
      else if (key.escape && query) {
        setQuery('');
        setBack(0);
      }
    },
    { isActive: !searching },
  );
  const window = logWindow(logs, logs.length - back, body, columns);
  const found = matches.length
    ? `match ${match + 1} of ${matches.length} for "${query}" (n next, N previous, esc clear)`
    : query
      ? `no match for "${query}"`
      : '';
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        log ({logs.length} lines){window.below ? `, ${window.below} newer below (↓)` : ''} ↑↓ scroll / search
      </Text>
      {window.lines.length === 0 ? <Text dimColor>no output yet</Text> : null}
      {window.lines.map(({ line, index }) => (
        <Text
          key={index}
          color={levelColour[line.level]}
          inverse={query !== '' && matches[match] === index}
          wrap="wrap"
        >
          {logPrefix(line, columns < 60)}
          {line.message}
        </Text>
      ))}
      {searching ? (
        <SearchField
          onDone={(typed) => {
            setSearching(false);
            onSearching(false);
            if (typed === undefined) return;
            setQuery(typed);
            const hits = logMatches(logs, typed);
            setMatch(0);
            if (hits.length) setBack(logs.length - 1 - hits[0]!);
          }}
        />
      ) : (
        <Text dimColor wrap="truncate-end">
          {found}
        </Text>
      )}
    </Box>
  );
}
