export { renderRun, type RenderRunOptions } from './render-run.js';
export type { RunRendering } from './rendering.js';
export { chooseMode, type RenderMode } from './mode.js';
export { createInkPrompter, PromptQueue, type InkPrompter } from './prompt-queue.js';
export { inquirerPrompter } from './inquirer-prompter.js';
export { scriptedPrompter, PromptUnanswered, type ScriptedAnswers } from './scripted-prompter.js';
export { createProgressPrinter, type ProgressPrinter } from './progress-printer.js';
export { runReducer, initialScreenState, type ScreenState } from './run-state.js';
export { useRunState } from './use-run-state.js';
