import { registerSecret } from './secrets.js';

/**
 * The secrets pgdr's own environment holds, registered before anything runs: a hook that echoes $PGPASSWORD, or a
 * tool's error that quotes a URL, must find them already masked, not only once pgdr itself used them.
 */
const KNOWN = new Set([
  'PGPASSWORD',
  'SUPABASE_DB_PASSWORD',
  'SUPABASE_ACCESS_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
]);
/** Names that say what they hold; their values are registered when long enough not to be an ordinary word. */
const SECRET_NAME = /(^|_)(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|APIKEY|WEBHOOK)(_|$)/i;
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:([^@\s/]+)@/i;

/** `named`: variables the config says hold secrets (webhook URLs, passphrases), whatever they are called. */
export function registerEnvironmentSecrets(env: NodeJS.ProcessEnv = process.env, named: readonly string[] = []): void {
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (KNOWN.has(name) || named.includes(name)) registerWhole(value);
    else if (SECRET_NAME.test(name) && value.length >= 8) registerWhole(value);
    const password = URL_PASSWORD.exec(value)?.[1];
    if (password) {
      registerSecret(password);
      registerSecret(decoded(password));
    }
  }
}

/** A JSON object of headers (a webhook's headersEnv) is registered value by value too. */
function registerWhole(value: string): void {
  registerSecret(value);
  if (!value.startsWith('{')) return;
  try {
    for (const v of Object.values(JSON.parse(value) as Record<string, unknown>)) registerSecret(String(v));
  } catch {
    // Not JSON: the whole value is registered already.
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
