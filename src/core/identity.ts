import { hostname, userInfo } from 'node:os';

export const PGDR_VERSION = '0.1.0';

/** user@host, as reports and the audit log name the operator. */
export function operatorName(): string {
  let user = process.env.SUDO_USER ?? process.env.USER ?? '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}
