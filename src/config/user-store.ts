import Conf from 'conf';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../pg/connection.js';
import { pgdrHome } from './paths.js';

/** Per-user state that is not configuration: the last profile used, UI preferences. */
export interface UserState {
  lastProfile?: string;
  ui?: { theme?: 'dark' | 'light'; compact?: boolean };
}

export function userStore(env: Env = process.env): Conf<UserState> {
  const cwd = pgdrHome(env);
  mkdirSync(cwd, { recursive: true, mode: 0o700 });
  return new Conf<UserState>({ projectName: 'pgdr', cwd, configName: 'user-state', configFileMode: 0o600 });
}

/** Reads the store, and never fails a command because of it (a corrupt or unreadable store is just ignored). */
export function readUserState(env: Env = process.env): UserState {
  // Reading must not create ~/.local/state/pgdr as a side effect of loading the config.
  if (!existsSync(join(pgdrHome(env), 'user-state.json'))) return {};
  try {
    return { ...userStore(env).store };
  } catch {
    return {};
  }
}

export function rememberProfile(name: string, env: Env = process.env): void {
  try {
    userStore(env).set('lastProfile', name);
  } catch {
    // State is a convenience; an unwritable home must not fail a backup.
  }
}
