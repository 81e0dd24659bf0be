/**
 * `${{ }}` in SQL becomes a bind parameter, so a value from a database row is compared, never run. The query text is
 * scanned the way PostgreSQL reads it (quotes, quoted identifiers, dollar quotes, comments), because a template
 * inside quotes would turn into the literal text '$1' rather than the value.
 */
const TEMPLATE_START = '${{';

export interface SqlTemplateScan {
  /** The query with each template replaced by $1, $2 …, in order. */
  text: string;
  /** The `${{ … }}` inner sources, in order. */
  sources: string[];
  /** The first template found inside quotes or a comment, where it could not be a parameter. */
  quoted?: string;
}

export function scanSqlTemplates(sql: string): SqlTemplateScan {
  let out = '';
  const sources: string[] = [];
  let quoted: string | undefined;
  let i = 0;
  const copyUntil = (end: number) => {
    const stop = Math.min(end, sql.length);
    const at = sql.indexOf(TEMPLATE_START, i);
    if (at >= 0 && at < stop) {
      const close = sql.indexOf('}}', at);
      quoted ??= sql.slice(at, close < 0 ? undefined : close + 2);
    }
    out += sql.slice(i, stop);
    i = stop;
  };
  while (i < sql.length) {
    if (sql.startsWith(TEMPLATE_START, i)) {
      const end = sql.indexOf('}}', i + TEMPLATE_START.length);
      if (end < 0) break;
      sources.push(sql.slice(i + TEMPLATE_START.length, end));
      out += `$${sources.length}`;
      i = end + 2;
      continue;
    }
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === "'") copyUntil(quoteEnd(sql, i, "'", /[eE]/.test(sql[i - 1] ?? '') && !isWordChar(sql[i - 2])));
    else if (ch === '"') copyUntil(quoteEnd(sql, i, '"', false));
    else if (ch === '-' && next === '-') copyUntil(lineEnd(sql, i));
    else if (ch === '/' && next === '*') copyUntil(blockCommentEnd(sql, i));
    else if (ch === '$' && !isWordChar(sql[i - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        copyUntil(close < 0 ? sql.length : close + tag[0].length);
      } else copyUntil(i + 1);
    } else copyUntil(i + 1);
  }
  out += sql.slice(i);
  return { text: out, sources, ...(quoted ? { quoted } : {}) };
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
}

/** Index just past the closing quote; a doubled quote (and, in E'' strings, a backslash) escapes. */
function quoteEnd(sql: string, start: number, quote: string, backslashes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashes && sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return sql.length;
}

function lineEnd(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end < 0 ? sql.length : end + 1;
}

/** Block comments nest in PostgreSQL. */
function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i++;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return sql.length;
}
