import { quoteIdent, withClient } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';
import type { TocEntry } from './toc.js';

const DROP_AS: Record<string, string> = {
  TABLE: 'TABLE',
  VIEW: 'VIEW',
  'MATERIALIZED VIEW': 'MATERIALIZED VIEW',
  SEQUENCE: 'SEQUENCE',
  'FOREIGN TABLE': 'FOREIGN TABLE',
  FUNCTION: 'FUNCTION',
  PROCEDURE: 'PROCEDURE',
  AGGREGATE: 'AGGREGATE',
  TYPE: 'TYPE',
  DOMAIN: 'DOMAIN',
  SCHEMA: 'SCHEMA',
};

/**
 * DROP … IF EXISTS … CASCADE of the archive's schemas, relations, routines and types, in one transaction, before
 * `pg_restore --clean`. pg_restore's own clean drops objects one by one and stops on some (a partition's inherited
 * primary key: "cannot drop inherited constraint"); whatever these statements do not cover it still drops itself.
 */
export function dropStatements(entries: TocEntry[]): string[] {
  return entries.flatMap((e) => {
    const kind = DROP_AS[e.desc];
    if (!kind) return [];
    if (kind === 'SCHEMA') return e.tag === 'public' ? [] : [`drop schema if exists ${quoteIdent(e.tag)} cascade`];
    const paren = e.tag.indexOf('(');
    const name =
      paren > 0 && /FUNCTION|PROCEDURE|AGGREGATE/.test(kind)
        ? `${quoteIdent(e.tag.slice(0, paren))}${e.tag.slice(paren)}`
        : quoteIdent(e.tag);
    return [`drop ${kind.toLowerCase()} if exists ${quoteIdent(e.schema)}.${name} cascade`];
  });
}

export async function dropObjects(target: DbTarget, entries: TocEntry[]): Promise<number> {
  const statements = dropStatements(entries);
  if (!statements.length) return 0;
  await withClient(target, async (c) => {
    await c.query('begin');
    try {
      for (const sql of statements) await c.query(sql);
      await c.query('commit');
    } catch (error) {
      await c.query('rollback').catch(() => {});
      throw error;
    }
  });
  return statements.length;
}
