import type Conf from 'conf';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../core/env.js';
import { pgdrHome } from './paths.js';

/** Per-user state that is not configuration: the last profile used, UI preferences. */
export interface UserState {
  lastProfile?: string;
  /** The operator's name for drill records, asked once. */
  operatorName?: string;
  ui?: { theme?: 'dark' | 'light'; compact?: boolean };
}

/** conf (with ajv) is loaded only when the store is used: most commands never touch it, and it is a fifth of the code a restore would load. */
export async function userStore(env: Env = process.env): Promise<Conf<UserState>> {
  const { default: Store } = await import('conf');
  const cwd = pgdrHome(env);
  mkdirSync(cwd, { recursive: true, mode: 0o700 });
  return new Store<UserState>({ projectName: 'pgdr', cwd, configName: 'user-state', configFileMode: 0o600 });
}

/** Reads the store, and never fails a command because of it (a corrupt or unreadable store is just ignored). */
export async function readUserState(env: Env = process.env): Promise<UserState> {
  // Reading must not create ~/.local/state/pgdr as a side effect of loading the config.
  if (!existsSync(join(pgdrHome(env), 'user-state.json'))) return {};
  try {
    return { ...(await userStore(env)).store };
  } catch {
    return {};
  }
}

export async function rememberProfile(name: string, env: Env = process.env): Promise<void> {
  try {
    (await userStore(env)).set('lastProfile', name);
  } catch {
    // State is a convenience; an unwritable home must not fail a backup.
  }
}
