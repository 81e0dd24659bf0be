import type { RunbookStep } from './schema.js';
import type { EngineCore } from './engine-core.js';
import { renderValue } from './template.js';

export function actionOf(step: RunbookStep): string {
  return step.action ?? 'manual';
}

/** Whether the run goes on after this step fails: `continueOnError:`, or an advisory action (notify). */
export function goesOnAfterFailure(core: Pick<EngineCore, 'actions'>, step: RunbookStep): boolean {
  return Boolean(step.continueOnError || core.actions.get(actionOf(step)).advisory);
}

export function argumentsOf(core: Pick<EngineCore, 'actions' | 'scope'>, step: RunbookStep): unknown {
  if (step.manual) return { items: step.manual };
  return renderValue(step.with ?? {}, core.scope(), core.actions.get(actionOf(step)).templates);
}
