import type { z } from 'zod';
import type { Logger, ProgressUpdate, RestoreTimingFact } from '../core/context.js';
import type { DbTarget } from '../pg/connection.js';
import type { PromptAnswer, PromptRequest } from '../core/prompt.js';
import { PgdrError } from '../core/errors.js';
import type { RunServices } from './run-services.js';

/** A drill rehearses on scratch targets and never writes to production; an incident is the real thing. */
export type RunMode = 'drill' | 'incident';

export type TaskState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** A subtask of the running step (a listr2 task, forwarded by the bridge renderer in tasks.ts). */
export interface TaskUpdated {
  type: 'task.updated';
  at: number;
  stepId: string;
  taskId: string;
  title: string;
  state: TaskState;
  parentId?: string;
}

/**
 * Where a target came from, without its secrets: what the journal keeps so that a resume can build it again.
 * A profile of the config, or a URL (redacted in `display`), plus the names of the environment variables that held
 * its URL or password when the run began.
 */
export interface TargetOrigin {
  profile?: string;
  /** DbTarget.source: "--db", "DATABASE_URL", "PG* environment" … */
  source?: string;
  secretEnv?: string[];
  /** Its password was typed into a URL on the command line, which nothing keeps: a resume asks for it. */
  passwordGiven?: boolean;
}

/** A named database the run may touch; `production` ones are refused as write targets in drills. */
export interface TargetProfile {
  name: string;
  target: DbTarget;
  production: boolean;
  origin?: TargetOrigin;
}

export interface ActionContext {
  runId: string;
  stepId: string;
  mode: RunMode;
  runDir: string;
  inputs: Readonly<Record<string, unknown>>;
  /** The outputs of the steps that have run, by step id (a shell hook gets them as PGDR_OUT_<STEP>_<NAME>). */
  outputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  targets: Readonly<Record<string, TargetProfile>>;
  /** The profile's DbTarget (default "primary"); throws a PgdrError naming the known profiles. */
  target(name?: string): DbTarget;
  log: Logger;
  progress(update: ProgressUpdate): void;
  prompt(request: PromptRequest): Promise<PromptAnswer>;
  signal: AbortSignal;
  /** Reports a subtask's state (stepId filled in): what the listr2 bridge forwards. */
  emit(event: TaskUpdated): void;
  /**
   * Says the step now changes a database that holds data (an in-place restore), before it does: stopping from here
   * leaves it part-way, so the screen asks for its name before an abort and the undo question defaults to No.
   */
  destructive?(change: { target: string; server: string; database: string; what: string }): void;
  /** Records a safety snapshot the moment it exists, so its id survives the step failing or being stopped. */
  safetySnapshot?(snapshot: { id: string; database: string; server: string; repository: string }): void;
  /** Records a restore's predicted and then actual phase durations (the RTO bar and the report show them). */
  restoreTiming?(timing: RestoreTimingFact): void;
  now(): number;
  /** The repository, keys, notification channels and cleanups of the run. */
  services: RunServices;
}

export type ActionOutputs = Record<string, unknown>;

/**
 * What a `${{ }}` may become in a field of `with`. A value from a database or a repository is data and stays data:
 * `text` is pasted in (messages, names); `sql` becomes a bind parameter ($1, $2 …); `url` is percent-encoded where
 * it sits inside a URL; `whole` is only ever the whole value, never spliced into text (a request body); `operator`
 * takes only what the operator gave (inputs.*, run.*), for fields that are code by design (a WHERE clause);
 * `environment` takes none (a shell command: values reach it through its environment variables).
 */
export type TemplateContext = 'text' | 'sql' | 'url' | 'whole' | 'operator' | 'environment';

/** How an action touches a target profile named in one of its `with` fields. */
export interface TargetUse {
  field: string;
  access: 'read' | 'write';
  /** The default when the field is left out. */
  defaultTarget?: string;
  /** With these arguments the step creates the server itself (a pgBackRest restore): preflight does not look for it. */
  createsServer?: (args: Record<string, unknown>) => boolean;
}

export interface ActionDefinition<W extends z.ZodType = z.ZodType> {
  name: string;
  describe: string;
  /** Schema of `with`. Checked when the runbook loads (fields without templates) and again after templating. */
  with: W;
  /** Output names later steps may reference; checked by the loader. */
  outputs?: readonly string[];
  /** Safe to run again after a crash mid-step, so resume re-runs it without asking. */
  idempotent?: boolean;
  /**
   * Stopped through its signal, it leaves nothing a new run of it trips over (a half-made database dropped, partial
   * files removed, a question unanswered): a step stopped by a suspension starts over on resume without asking.
   */
  restartable?: boolean | ((args: z.output<W>) => boolean);
  /** Its result is a validation the report lists. */
  validation?: boolean;
  /** Fields of `with` (dotted: "undo.url") whose templates are not plain text; the rest are `text`. */
  templates?: Readonly<Record<string, TemplateContext>>;
  /** Fields naming target profiles; a drill refuses `write` access to a production profile. */
  targets?: readonly TargetUse[];
  /**
   * The questions a step of this action asks every time it runs, from its `with:` as written (templates not
   * rendered): preflight checks that a run without a terminal can answer them before anything is announced.
   */
  questions?(stepId: string, args: Record<string, unknown>): PromptRequest[];
  /** Its failure is recorded but does not stop the run (telling people must never hold up a recovery). */
  advisory?: boolean;
  run(ctx: ActionContext, args: z.output<W>): Promise<ActionOutputs | void>;
  /** What aborting undoes when the step declares no `undo:` itself. */
  undo?(ctx: ActionContext, args: z.output<W>, outputs: ActionOutputs): Promise<void>;
  /**
   * A resumed run calls this for each step that had already succeeded, so the step sets up again what it left for the
   * end of the run (a drill's scratch database to drop): that lived in the process that stopped.
   */
  rearm?(ctx: ActionContext, args: z.output<W>, outputs: ActionOutputs): void;
}

export function defineAction<W extends z.ZodType>(definition: ActionDefinition<W>): ActionDefinition<W> {
  return definition;
}

export class UnknownAction extends PgdrError {}

/** An action throws it to end its step as skipped, saying why ("no channel configured"): it did not do its work. */
export class StepSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export class ActionRegistry {
  private readonly actions = new Map<string, ActionDefinition>();

  // Definitions differ in argument type; each validates its own arguments before `run` sees them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(definitions: readonly ActionDefinition<any>[] = []) {
    for (const definition of definitions) this.register(definition);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  register(definition: ActionDefinition<any>): this {
    this.actions.set(definition.name, definition as ActionDefinition);
    return this;
  }

  has(name: string): boolean {
    return this.actions.has(name);
  }

  names(): string[] {
    return [...this.actions.keys()].sort();
  }

  get(name: string): ActionDefinition {
    const action = this.actions.get(name);
    if (!action) {
      const guess = closest(name, this.names());
      throw new UnknownAction(`Unknown action '${name}'${guess ? ` (did you mean ${guess}?)` : ''}.`, {
        hint: `Known actions: ${this.names().join(', ')}.`,
      });
    }
    return action;
  }
}

/** The nearest name by edit distance, if it is plausibly a typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
