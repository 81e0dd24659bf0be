import { useSyncExternalStore } from 'react';
import type { PromptRequest } from '../runbook/events.js';
import type { PromptQueue } from './prompt-queue.js';

export function usePrompt(queue: PromptQueue): PromptRequest | undefined {
  return useSyncExternalStore(queue.subscribe, queue.current);
}
