import type { ActionContext } from './registry.js';

/**
 * What a shell hook knows of the run, as environment variables: the inputs and every earlier step's outputs. Values
 * reach the command this way and never through its text, so a row that says `; rm -rf ~` stays a string.
 */
const part = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

export const outputVariable = (step: string, output: string) => `PGDR_OUT_${part(step)}_${part(output)}`;
export const inputVariable = (input: string) => `PGDR_INPUT_${part(input)}`;
const RUN_VARIABLES: Record<string, string> = { id: 'PGDR_RUN_ID', mode: 'PGDR_MODE' };

/** The variable a reference (inputs.x, steps.q.outputs.stdout, run.mode) reaches a hook as, if it has one. */
export function variableFor(path: readonly string[]): string | undefined {
  const [root, name, kind, output] = path;
  if (root === 'inputs' && name && path.length === 2) return inputVariable(name);
  if (root === 'run' && name && path.length === 2) return RUN_VARIABLES[name];
  if (root === 'steps' && name && kind === 'outputs' && output && path.length === 4)
    return outputVariable(name, output);
  return undefined;
}

/** Larger values are left out: one environment string may not exceed 128 KiB on Linux. */
const MAX_VALUE_BYTES = 100 * 1024;

export function hookVariables(ctx: Pick<ActionContext, 'inputs' | 'outputs'>): {
  env: Record<string, string>;
  leftOut: string[];
} {
  const env: Record<string, string> = {};
  const leftOut: string[] = [];
  const put = (name: string, value: unknown) => {
    if (value === undefined) return;
    // An environment string cannot hold NUL.
    const text = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\0/g, '');
    if (Buffer.byteLength(text) > MAX_VALUE_BYTES) leftOut.push(name);
    else env[name] = text;
  };
  for (const [name, value] of Object.entries(ctx.inputs)) put(inputVariable(name), value);
  for (const [step, outputs] of Object.entries(ctx.outputs))
    for (const [name, value] of Object.entries(outputs)) put(outputVariable(step, name), value);
  return { env, leftOut };
}
