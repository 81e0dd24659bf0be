/**
 * The AWS SDK warns on Node versions it plans to drop (NodeVersionSupportWarning). That line must not reach
 * the TUI or `--json` output; every other warning still goes through.
 */
export function silenceKnownWarnings(): void {
  const original = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : `${warning.name} ${warning.message}`;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (
      type === 'NodeVersionSupportWarning' ||
      /NodeVersionSupportWarning|no longer support.*Node\.js|Node\.js version.*(end-of-life|support)/i.test(text)
    )
      return;
    (original as (...a: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
