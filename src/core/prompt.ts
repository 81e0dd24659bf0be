/** A question for the operator, and the ways it gets answered (TUI, plain terminal, --answer / --yes, tests). */
export type PromptRequest =
  | { kind: 'confirm'; id: string; message: string; default?: boolean }
  | { kind: 'select'; id: string; message: string; choices: { value: string; label: string; hint?: string }[] }
  /** Type-the-name: the answer must equal `expected` exactly (destructive steps). */
  | { kind: 'type-name'; id: string; message: string; expected: string }
  | { kind: 'text'; id: string; message: string; default?: string }
  | { kind: 'checklist'; id: string; message: string; items: string[] };

export type PromptAnswer = boolean | string | string[];

/** Answers questions: Ink components in the TUI, @inquirer/prompts in plain mode, a scripted list in tests. */
export interface Prompter {
  ask(request: PromptRequest, signal: AbortSignal): Promise<PromptAnswer>;
}
