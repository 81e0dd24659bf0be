import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../core/env.js';

/** Where pgdr keeps per-user state (audit log, user store): $PGDR_HOME, default ~/.local/state/pgdr. */
export function pgdrHome(env: Env = process.env): string {
  if (env.PGDR_HOME) return env.PGDR_HOME;
  const stateHome = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(stateHome, 'pgdr');
}

export const CONFIG_FILE = 'pgdr.config.yaml';
