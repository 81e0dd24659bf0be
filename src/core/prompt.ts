/** What every question may carry besides its kind: lines of context shown above it (what state things are in). */
interface PromptCommon {
  id: string;
  message: string;
  details?: string[];
}

/** A question for the operator, and the ways it gets answered (TUI, plain terminal, --answer / --yes, tests). */
export type PromptRequest =
  | (PromptCommon & { kind: 'confirm'; default?: boolean })
  | (PromptCommon & { kind: 'select'; choices: { value: string; label: string; hint?: string }[] })
  /** Type-the-name: the answer must equal `expected` exactly (destructive steps). */
  | (PromptCommon & { kind: 'type-name'; expected: string })
  /** `secret`: typed without echo and journaled as ***. */
  | (PromptCommon & { kind: 'text'; default?: string; secret?: boolean })
  /** `checked`: items ticked already (a checklist asked again). */
  | (PromptCommon & { kind: 'checklist'; items: string[]; checked?: string[] });

export type PromptAnswer = boolean | string | string[];

/** Answers questions: Ink components in the TUI, @inquirer/prompts in plain mode, a scripted list in tests. */
export interface Prompter {
  ask(request: PromptRequest, signal: AbortSignal): Promise<PromptAnswer>;
  /** Without a terminal: whether this question has an answer (--answer, --yes). Absent: someone is there to ask. */
  canAnswer?(request: PromptRequest): boolean;
}
