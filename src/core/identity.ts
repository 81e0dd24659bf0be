import { hostname, userInfo } from 'node:os';

export const PGDR_VERSION = '0.1.0';

/** user@host, as reports and the audit log name the operator. */
export function operatorName(env: Record<string, string | undefined> = process.env): string {
  let user = env.SUDO_USER || env.USER || env.LOGNAME || '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}
