import { useSyncExternalStore } from 'react';
import type { PromptRequest } from '../core/prompt.js';
import type { PromptQueue } from './prompt-queue.js';

export function usePrompt(queue: PromptQueue): PromptRequest | undefined {
  return useSyncExternalStore(queue.subscribe, queue.current);
}
