import { useRef, useState } from 'react';

/**
 * State that key handlers read fresh: Ink can deliver several keys (a paste, then enter) before React re-registers
 * the handler, so a value captured by the last render would be stale.
 */
export function useLiveState<T>(initial: T): [T, () => T, (next: T) => void] {
  const ref = useRef(initial);
  const [, rerender] = useState(0);
  const set = (next: T) => {
    ref.current = next;
    rerender((n) => n + 1);
  };
  return [ref.current, () => ref.current, set];
}
