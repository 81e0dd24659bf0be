/**
 * Every secret pgdr learns (passwords, tokens, passphrases) is registered here, and every line that leaves the
 * process (logs, errors, journals, reports) passes through `redact`. Belt and braces on top of never putting
 * secrets there in the first place.
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

export function redact(text: string): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(MASK);
  }
  return out;
}

/** Only for tests. */
export function knownSecrets(): ReadonlySet<string> {
  return secrets;
}
