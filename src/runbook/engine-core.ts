import type { ActionRegistry, TargetProfile } from '../actions/registry.js';
import type { RunServices } from '../actions/run-services.js';
import type { PromptAnswer, PromptRequest } from '../core/prompt.js';
import type { RunEvent } from './events.js';
import type { RunMode } from '../actions/registry.js';
import type { JournalRecord } from './journal.js';
import type { RunState, StepState } from './run-state.js';
import type { Runbook } from './schema.js';
import type { Clock } from './rto.js';

/** What a step needs from the engine; kept narrow so steps can be tested and read on their own. */
export interface EngineCore {
  readonly runId: string;
  readonly runDir: string;
  readonly mode: RunMode;
  readonly clock: Clock;
  readonly runbook: Runbook;
  readonly actions: ActionRegistry;
  readonly targets: Record<string, TargetProfile>;
  /** The run so far, folded from its journal. */
  readonly state: RunState;
  step(stepId: string): StepState | undefined;
  readonly stop: AbortController;
  readonly wasResumed: boolean;
  readonly services: RunServices;
  inputs: Record<string, unknown>;
  currentStep: string | undefined;
  abortRequested: boolean;
  suspendedBy: string | undefined;
  /** How long a cancelled step's action gets to stop. */
  readonly cancelGraceMs?: number;
  emit(event: RunEvent): void;
  record(record: JournalRecord): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, stepId?: string): void;
  ask(request: PromptRequest, signal: AbortSignal, stepId?: string): Promise<PromptAnswer>;
  requestAbort(): void;
  scope(): Record<string, unknown>;
}
