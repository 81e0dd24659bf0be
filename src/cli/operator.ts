import { readUserState, userStore } from '../config/user-store.js';

/**
 * The operator's name for the drill record: --operator, else PGDR_OPERATOR, else the one given before (remembered in
 * the user store), else asked once on the terminal (before the run's screen takes it) and remembered.
 */
export async function operatorName(flags: { operator?: string }, interactive: boolean): Promise<string | undefined> {
  const given = flags.operator?.trim() || process.env.PGDR_OPERATOR?.trim();
  if (given) return given;
  const remembered = (await readUserState()).operatorName;
  if (remembered || !interactive) return remembered;
  const { input } = await import('@inquirer/prompts');
  const name = (
    await input(
      { message: 'Your name, for the drill records (asked once; --operator or PGDR_OPERATOR set it too):' },
      { output: process.stderr },
    ).catch(() => '')
  ).trim();
  if (name) await (await userStore()).set('operatorName', name);
  return name || undefined;
}
