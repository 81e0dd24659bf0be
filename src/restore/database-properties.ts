import type pg from 'pg';
import { quoteIdent, quoteLiteral, withClient } from '../pg/client.js';
import { withDatabase, type DbTarget } from '../pg/connection.js';
import { adminTarget } from './target-db.js';
import type { TocEntry } from './toc.js';

/**
 * What the archive says about the database itself — pg_dump stores it, and pg_restore applies it only with --create,
 * which a restore into a database of another name cannot use: the settings (`ALTER DATABASE … SET`, also per role),
 * the comment, the owner and the privileges. Read from pg_restore's script by a strict grammar and applied with pgdr's
 * own quoting, so no text of the archive is ever run as it stands.
 */
export interface DatabaseProperties {
  owner?: string;
  comment?: string;
  settings: { role?: string; name: string; values: string[] }[];
  privileges: { grant: boolean; privileges: string[]; grantee: string; grantOption: boolean }[];
  /** Statements about the database this grammar does not know, left alone and named. */
  unknown: string[];
}

/** The archive entries about the database itself (listed only with pg_restore --create). */
export const isDatabaseEntry = (e: TocEntry): boolean =>
  e.schema === '-' &&
  (e.desc === 'DATABASE' ||
    e.desc === 'DATABASE PROPERTIES' ||
    ((e.desc === 'COMMENT' || e.desc === 'ACL') && e.tag.startsWith('DATABASE ')));

type Token = { kind: 'word' | 'ident' | 'literal' | 'punct'; text: string };

/** SQL text → statements of tokens; comments and psql meta-commands (\connect, \restrict) dropped. */
function statements(script: string): Token[][] {
  const out: Token[][] = [];
  let current: Token[] = [];
  const re = /\s+|--[^\n]*|^\\[^\n]*|'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_$]*)|(;)|(.)/gmy;
  for (let m = re.exec(script); m; m = re.exec(script)) {
    if (m[1] !== undefined) current.push({ kind: 'literal', text: m[1].replace(/''/g, "'") });
    else if (m[2] !== undefined) current.push({ kind: 'ident', text: m[2].replace(/""/g, '"') });
    else if (m[3] !== undefined) current.push({ kind: 'word', text: m[3] });
    else if (m[4] !== undefined) {
      if (current.length) out.push(current);
      current = [];
    } else if (m[5] !== undefined) current.push({ kind: 'punct', text: m[5] });
  }
  return out;
}

const PRIVILEGES = new Set(['ALL', 'CONNECT', 'CREATE', 'TEMPORARY', 'TEMP']);

/** Reads pg_restore --create's script of the database entries. */
export function parseDatabaseProperties(script: string, owner?: string): DatabaseProperties {
  const props: DatabaseProperties = { ...(owner ? { owner } : {}), settings: [], privileges: [], unknown: [] };
  for (const tokens of statements(script)) {
    const words = tokens.map((t) =>
      t.kind === 'word' ? t.text.toUpperCase() : t.kind === 'punct' ? t.text : `<${t.kind}>`,
    );
    const text = words.join(' ');
    const name = (i: number) => (tokens[i]!.kind === 'word' ? tokens[i]!.text.toLowerCase() : tokens[i]!.text);
    const values = (from: number) => tokens.slice(from).filter((_, i) => i % 2 === 0);
    const valueList = (from: number) =>
      tokens.slice(from).every((t, i) => (i % 2 ? t.text === ',' : t.kind === 'literal')) ? values(from) : undefined;
    let m: RegExpExecArray | null;
    if (/^(SET|SELECT|RESET|CREATE DATABASE) /.test(text)) continue;
    if (/^ALTER DATABASE (<ident>|\S+) OWNER TO (<ident>|\S+)$/.test(text)) props.owner = name(5);
    else if (/^COMMENT ON DATABASE (<ident>|\S+) IS <literal>$/.test(text)) props.comment = tokens[5]!.text;
    else if (/^ALTER DATABASE (<ident>|\S+) SET (<ident>|\S+) TO /.test(text) && valueList(6))
      props.settings.push({ name: name(4), values: valueList(6)!.map((t) => t.text) });
    else if (/^ALTER ROLE (<ident>|\S+) IN DATABASE (<ident>|\S+) SET (<ident>|\S+) TO /.test(text) && valueList(9))
      props.settings.push({ role: name(2), name: name(7), values: valueList(9)!.map((t) => t.text) });
    else if (
      (m =
        /^(GRANT|REVOKE) ((?:\w+ , )*\w+) ON DATABASE (<ident>|\S+) (TO|FROM) (<ident>|\S+)( WITH GRANT OPTION)?$/.exec(
          text,
        ))
    ) {
      const privileges = m[2]!.split(' , ');
      const grantee = tokens.at(m[6] ? -4 : -1)!;
      if (privileges.every((p) => PRIVILEGES.has(p)))
        props.privileges.push({
          grant: m[1] === 'GRANT',
          privileges,
          grantee:
            grantee.kind === 'word' && grantee.text.toUpperCase() === 'PUBLIC'
              ? 'PUBLIC'
              : name(tokens.indexOf(grantee)),
          grantOption: Boolean(m[6]),
        });
      else props.unknown.push(text);
    } else props.unknown.push(text);
  }
  return props;
}

const EMPTY: DatabaseProperties = { settings: [], privileges: [], unknown: [] };

/** The statements that give `database` these properties (what the plan and the summary show). */
export function propertyStatements(database: string, props: DatabaseProperties): string[] {
  const db = quoteIdent(database);
  const role = (r: string) => (r === 'PUBLIC' ? 'public' : quoteIdent(r));
  return [
    ...props.privileges.map(
      (p) =>
        `${p.grant ? 'grant' : 'revoke'} ${p.privileges.join(', ').toLowerCase()} on database ${db} ${p.grant ? 'to' : 'from'} ${role(p.grantee)}${p.grantOption ? ' with grant option' : ''}`,
    ),
    ...props.settings.map(
      (s) =>
        `alter ${s.role ? `role ${quoteIdent(s.role)} in ` : ''}database ${db} set ${quoteIdent(s.name)} to ${s.values.map(quoteLiteral).join(', ')}`,
    ),
    ...(props.owner ? [`alter database ${db} owner to ${quoteIdent(props.owner)}`] : []),
  ];
}

/**
 * Gives the new database the archive's settings, privileges, owner (where the role exists) and comment, once the data
 * is restored and checked: `default_transaction_read_only` or a `search_path` must not reach pg_restore's sessions.
 * The comment comes last: it replaces pgdr's "incomplete restore" mark. Returns what could not be applied.
 */
export async function applyDatabaseProperties(
  server: DbTarget,
  database: string,
  props: DatabaseProperties,
): Promise<string[]> {
  const failed: string[] = [];
  await withClient(adminTarget(withDatabase(server, database)), async (c) => {
    const roles = await existingRoles(c, [
      ...props.settings.flatMap((s) => (s.role ? [s.role] : [])),
      ...props.privileges.map((p) => p.grantee),
      ...(props.owner ? [props.owner] : []),
    ]);
    const run = (sql: string) => c.query(sql).catch((error: Error) => void failed.push(`${sql}: ${error.message}`));
    const { owner, ...rest } = withRolesIn(props, roles);
    for (const sql of propertyStatements(database, rest)) await run(sql);
    // The comment before the owner: a restoring role that is not superuser may no longer change it afterwards.
    await run(
      `comment on database ${quoteIdent(database)} is ${props.comment === undefined ? 'null' : quoteLiteral(props.comment)}`,
    );
    if (owner) await run(propertyStatements(database, { ...EMPTY, owner })[0]!);
    for (const missing of missingRoles(props, roles)) failed.push(`role ${missing} does not exist on this server`);
  });
  return failed;
}

async function existingRoles(c: pg.Client, names: string[]): Promise<Set<string>> {
  const { rows } = await c.query<{ r: string }>('select rolname as r from pg_roles where rolname = any($1)', [names]);
  return new Set([...rows.map((r) => r.r), 'PUBLIC']);
}

function withRolesIn(props: DatabaseProperties, roles: Set<string>): DatabaseProperties {
  const { owner, ...rest } = props;
  return {
    ...rest,
    ...(owner && roles.has(owner) ? { owner } : {}),
    settings: props.settings.filter((s) => !s.role || roles.has(s.role)),
    privileges: props.privileges.filter((p) => roles.has(p.grantee)),
  };
}

function missingRoles(props: DatabaseProperties, roles: Set<string>): string[] {
  const named = [
    ...(props.owner ? [props.owner] : []),
    ...props.settings.flatMap((s) => (s.role ? [s.role] : [])),
    ...props.privileges.map((p) => p.grantee),
  ];
  return [...new Set(named)].filter((r) => !roles.has(r));
}
