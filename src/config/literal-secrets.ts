/**
 * Finds secrets written straight into the config file. A password in a URL or a webhook URL with its token is an
 * error (the file ends up in git and backups); a value that merely looks like a token is a warning.
 */
export interface SecretFinding {
  path: (string | number)[];
  severity: 'error' | 'warning';
  message: string;
  hint: string;
}

const WEBHOOK = /^https:\/\/(hooks\.slack\.com\/services\/|(ptb\.|canary\.)?discord(app)?\.com\/api\/webhooks\/)/i;
const TOKEN = /^(xox[abprs]-|gh[pousr]_|AKIA[0-9A-Z]{16}|sk_live_|glpat-|AGE-SECRET-KEY-)/;
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:[^@\s/]+@/i;
const QUERY_SECRET = /[?&](password|token|secret|key|sig|access_token)=[^&\s]+/i;

export function findLiteralSecrets(raw: unknown, path: (string | number)[] = []): SecretFinding[] {
  if (Array.isArray(raw)) return raw.flatMap((v, i) => findLiteralSecrets(v, [...path, i]));
  if (raw && typeof raw === 'object') {
    return Object.entries(raw as Record<string, unknown>).flatMap(([k, v]) => findLiteralSecrets(v, [...path, k]));
  }
  if (typeof raw !== 'string') return [];
  const key = String(path.at(-1) ?? '');
  const envHint = suggestedEnv(path);
  if (URL_PASSWORD.test(raw) || QUERY_SECRET.test(raw)) {
    return [
      {
        path,
        severity: 'error',
        message: 'contains a password or token in a URL',
        hint: `Put the URL in an environment variable and reference it by name (for a target: urlEnv: ${envHint}), or keep the password in PGPASSWORD / ~/.pgpass.`,
      },
    ];
  }
  if (WEBHOOK.test(raw)) {
    return [
      {
        path,
        severity: 'error',
        message: 'is a webhook URL, which carries its own token',
        hint: `Export it as ${envHint} and write webhookUrlEnv: ${envHint} instead.`,
      },
    ];
  }
  if (raw.startsWith('AGE-SECRET-KEY-')) {
    return [
      {
        path,
        severity: 'error',
        message: 'is an age secret key',
        hint: 'Keep the identity in a file readable only by you and set encryption.identityFile to its path.',
      },
    ];
  }
  if (TOKEN.test(raw) || (/password|secret|token/i.test(key) && !/Env$/.test(key))) {
    return [
      {
        path,
        severity: 'warning',
        message: 'looks like a secret written into the config',
        hint: `Move it to an environment variable (e.g. ${envHint}) and reference it by name with a …Env key.`,
      },
    ];
  }
  return [];
}

function suggestedEnv(path: (string | number)[]): string {
  const words = path.filter(
    (p) => typeof p === 'string' && !['targets', 'notifications', 'url'].includes(p),
  ) as string[];
  const base = words
    .join('_')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toUpperCase();
  if (path[0] === 'targets') return `${base}_DATABASE_URL`;
  return base.endsWith('_URL') ? base : `${base || 'PGDR'}_URL`;
}
