/**
 * Text from a backup repository, a database or a hook is data: a newline in a backup id must not print a fake
 * `error:` line, and an escape sequence must not retitle or repaint the operator's terminal.
 */

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), other two-byte escapes, and their 8-bit forms.
const ESCAPE_SEQUENCE =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]|\u009d[^\u0007\u009c]*[\u0007\u009c]?/g;
// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a line appears to say.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escaped(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line, safe to print: escape sequences removed, every other control character shown escaped ("\n", "\x07"). */
export function printable(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, escaped);
}

/** Like printable, but keeps line breaks and tabs: for pgdr's own multi-line messages that quote hostile values. */
export function printableLines(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_BUT_LINES, escaped);
}
