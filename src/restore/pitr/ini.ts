/** Sets keys in sections of an INI text (pgbackrest.conf), keeping every other line and comment as it was. */
export function mergeIni(text: string, changes: Record<string, Record<string, string>>): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [section, values] of Object.entries(changes)) {
    let start = lines.findIndex((l) => l.trim() === `[${section}]`);
    if (start === -1) {
      if (lines.length && lines.at(-1)!.trim() !== '') lines.push('');
      lines.push(`[${section}]`);
      start = lines.length - 1;
    }
    let end = lines.findIndex((l, i) => i > start && /^\s*\[.+\]\s*$/.test(l));
    if (end === -1) end = lines.length;
    for (const [key, value] of Object.entries(values)) {
      const at = lines.findIndex((l, i) => i > start && i < end && l.split('=')[0]!.trim() === key);
      if (at !== -1) {
        lines[at] = `${key}=${value}`;
        continue;
      }
      let insert = end;
      while (insert > start + 1 && lines[insert - 1]!.trim() === '') insert--;
      lines.splice(insert, 0, `${key}=${value}`);
      end++;
    }
  }
  return lines.join('\n') + '\n';
}
