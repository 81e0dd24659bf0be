/**
 * Every secret pgdr learns (passwords, tokens, passphrases) is registered here, and every value that leaves the
 * process (logs, errors, journals, reports, the audit log, `--json`) passes through `redactValue` before it is
 * serialised. Belt and braces on top of never putting secrets there in the first place.
 */
const secrets = new Set<string>();
const MASK = '***';

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** postgres://user:pass@host → postgres://user:***@host, and password=… / token=… in query strings. */
export function redactUrl(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*):([^@\s/]*)@/gi, (_m, head: string) => `${head}:${MASK}@`)
    .replace(/([?&](?:password|pass|token|secret|key|sig|signature|access_token)=)[^&\s]*/gi, `$1${MASK}`)
    .replace(/\b(password\s*=\s*)('[^']*'|\S+)/gi, `$1${MASK}`);
}

/** One line of text with every known secret (and its URL-encoded form) masked. */
export function redact(text: string): string {
  let out = redactUrl(text);
  // Until nothing is left: masking one secret can complete another (or itself again); each pass shortens the text.
  for (let changed = true; changed;) {
    changed = false;
    for (const secret of secrets) {
      for (const form of new Set([secret, encodeURIComponent(secret)])) {
        if (!out.includes(form)) continue;
        out = out.split(form).join(MASK);
        changed = true;
      }
    }
  }
  return out;
}

/**
 * A copy of a JSON-shaped value with every string in it (keys too) redacted. Redacting the values before they are
 * serialised keeps the JSON valid whatever a pattern matches, and finds a secret holding `"` or `\`, which the
 * serialised text would show escaped.
 */
export function redactValue<T>(value: T): T {
  return redactAny(value) as T;
}

/** The one way pgdr turns a value into JSON that leaves the process: redacted first, then serialised. */
export function redactedJson(value: unknown, indent?: number): string {
  return JSON.stringify(redactValue(value), null, indent);
}

function redactAny(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return redactAny((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) return value.map(redactAny);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactAny(item)]));
}

/** Only for tests. */
export function knownSecrets(): ReadonlySet<string> {
  return secrets;
}
