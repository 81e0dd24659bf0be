import { useMemo, useSyncExternalStore } from 'react';
import type { RunHandle } from '../runbook/run-handle.js';
import { RunStore, type RunStoreOptions } from './run-store.js';
import type { ScreenState } from './run-state.js';

/** The one hook between the engine and the screen: a throttled, reduced view of the run's events. */
export function useRunState(handle: RunHandle, options?: RunStoreOptions): ScreenState {
  // Options are read once per handle; changing them mid-run would restart the subscription for nothing.
  const store = useMemo(() => new RunStore(handle, options), [handle]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
