import { findTables, sameTable, tableLabel, type TableName } from '../backup/manifest-tables.js';

/** One line of `pg_restore --list`: "3012; 0 16404 TABLE DATA public rental postgres". */
export interface TocEntry {
  id: number;
  desc: string;
  /** "-" for objects outside a schema (extensions, schemas themselves). */
  schema: string;
  /** The object's name as pg_dump tags it ("rental", "film film_pkey" for a constraint). */
  tag: string;
  line: string;
  /** TOC ids this entry depends on (from the archive's schema script); empty when unknown. */
  deps: number[];
  /** FK CONSTRAINT: the table it references (from the schema script); pg_dump leaves that out of `deps` when the table is not in the archive. */
  references?: TableName;
  /** TABLE: the tables it inherits from (the schema script's INHERITS), which a partition's entry does not name. */
  inherits?: TableName[];
}

// Longest first, so "MATERIALIZED VIEW DATA" wins over "MATERIALIZED VIEW".
const MULTIWORD_DESCS = [
  'MATERIALIZED VIEW DATA',
  'DATABASE PROPERTIES',
  'PUBLICATION TABLES IN SCHEMA',
  'TEXT SEARCH CONFIGURATION',
  'TEXT SEARCH DICTIONARY',
  'TEXT SEARCH TEMPLATE',
  'TEXT SEARCH PARSER',
  'FOREIGN DATA WRAPPER',
  'PROCEDURAL LANGUAGE',
  'SEQUENCE OWNED BY',
  'MATERIALIZED VIEW',
  'PUBLICATION TABLE',
  'CHECK CONSTRAINT',
  'OPERATOR FAMILY',
  'OPERATOR CLASS',
  'FOREIGN SERVER',
  'FOREIGN TABLE',
  'EVENT TRIGGER',
  'ACCESS METHOD',
  'FK CONSTRAINT',
  'INDEX ATTACH',
  'TABLE ATTACH',
  'ROW SECURITY',
  'SEQUENCE SET',
  'USER MAPPING',
  'LARGE OBJECT',
  'DEFAULT ACL',
  'TABLE DATA',
  'SHELL TYPE',
  'BLOB DATA',
];

export function parseTocList(text: string): TocEntry[] {
  const entries: TocEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+);\s+\d+\s+\d+\s+(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2]!;
    const desc = MULTIWORD_DESCS.find((d) => rest.startsWith(`${d} `)) ?? rest.split(' ')[0]!;
    const words = rest.slice(desc.length + 1).split(' ');
    const schema = words.shift() ?? '-';
    const tag = words.length > 1 ? words.slice(0, -1).join(' ') : words.join(' ');
    entries.push({ id: Number(m[1]), desc, schema, tag, line, deps: [] });
  }
  return entries;
}

/** Fills `deps` from `pg_restore --schema-only --verbose -f -` output ("-- TOC entry 3345 …" / "-- Dependencies: 240 239"). */
export function attachDependencies(entries: TocEntry[], script: string): void {
  const byId = new Map(entries.map((e) => [e.id, e]));
  let current: TocEntry | undefined;
  for (const line of script.split('\n')) {
    const head = /^-- TOC entry (\d+) /.exec(line);
    if (head) {
      current = byId.get(Number(head[1]));
      continue;
    }
    const deps = /^-- Dependencies: ([\d ]+)$/.exec(line);
    if (deps && current) current.deps = deps[1]!.trim().split(/\s+/).map(Number);
    const references = current?.desc === 'FK CONSTRAINT' ? REFERENCES.exec(line) : null;
    if (references && current) current.references = { schema: unquote(references[1]!), table: unquote(references[2]!) };
    const inherits = current?.desc === 'TABLE' ? /^INHERITS \((.+)\);$/.exec(line) : null;
    if (inherits && current)
      current.inherits = [...inherits[1]!.matchAll(QUALIFIED)].map((m) => ({
        schema: unquote(m[1]!),
        table: unquote(m[2]!),
      }));
  }
  // Data entries are not in the schema script: they depend on the object they fill.
  const relation = new Map(
    entries.filter((e) => RELATIONS.has(e.desc)).map((e) => [`${e.desc}|${e.schema}|${e.tag}`, e.id]),
  );
  for (const e of entries) {
    const owner = DATA_OF[e.desc];
    const id = owner ? relation.get(`${owner}|${e.schema}|${e.tag}`) : undefined;
    if (id !== undefined && !e.deps.includes(id)) e.deps.push(id);
  }
}

// pg_dump writes "REFERENCES schema.table(" with each part quoted where it must be.
const NAME_PART = String.raw`"(?:[^"]|"")+"|[^\s."(),]+`;
const REFERENCES = new RegExp(String.raw`\bREFERENCES (${NAME_PART})\.(${NAME_PART})\(`);
const QUALIFIED = new RegExp(String.raw`(${NAME_PART})\.(${NAME_PART})`, 'g');
const unquote = (part: string) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part);

/**
 * Leaves out the foreign keys to tables that are not among `entries` (a tables backup holds a table without the ones
 * it references): restoring one would fail, and with it the restore. They come back named, for the summary.
 */
export function withoutDanglingForeignKeys(entries: TocEntry[]): { entries: TocEntry[]; leftOut: string[] } {
  const tables = tocTables(entries);
  const dangling = entries.filter(
    (e) => e.desc === 'FK CONSTRAINT' && e.references && !tables.some((t) => sameTable(t, e.references!)),
  );
  return {
    entries: entries.filter((e) => !dangling.includes(e)),
    leftOut: dangling.map((e) => `FK CONSTRAINT ${e.schema}.${e.tag} (references ${tableLabel(e.references!)})`),
  };
}

/** Schemas the entries put objects in that the archive does not create (pg_dump --table leaves the schema out). */
export function schemasNotCreated(entries: TocEntry[], all: TocEntry[]): string[] {
  const created = new Set(all.filter((e) => e.desc === 'SCHEMA').map((e) => e.tag));
  return [...new Set(entries.map((e) => e.schema))].filter((s) => s !== '-' && !created.has(s));
}

const RELATIONS = new Set(['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'SEQUENCE', 'FOREIGN TABLE']);
const DATA_OF: Record<string, string> = {
  'TABLE DATA': 'TABLE',
  'SEQUENCE SET': 'SEQUENCE',
  'MATERIALIZED VIEW DATA': 'MATERIALIZED VIEW',
};

/** The archive's tables, as names. */
export const tocTables = (toc: readonly TocEntry[]): TableName[] =>
  toc.filter((e) => e.desc === 'TABLE').map((e) => ({ schema: e.schema, table: e.tag }));

export interface TableSelection {
  entries: TocEntry[];
  /** Every table whose data is restored (partitions and inheritance children included). */
  tables: TableName[];
  /** What hangs on a chosen table but also on one not chosen, so it is left out (a foreign key to it, a view). */
  leftOut: string[];
}

/**
 * The entries that bring back some tables: their definitions, data, partitions, inheritance children, owned
 * sequences, and every index, constraint, trigger, policy or default that hangs on them
 * alone. With `standalone` (a new database) the objects that need no table (schemas, types, functions) come too; in
 * place they already exist. Unknown names come back in `missing`.
 */
export function selectTables(
  all: TocEntry[],
  names: string[],
  options: { standalone: boolean },
): TableSelection & { missing: string[] } {
  const byId = new Map(all.map((e) => [e.id, e]));
  const tables = all.filter((e) => e.desc === 'TABLE');
  const named = tables.map((e) => ({ ...e, table: e.tag }));
  const selected = new Set<number>();
  const missing: string[] = [];
  for (const name of names) {
    const found = findTables(named, name);
    if (found.length === 1) selected.add(found[0]!.id);
    else missing.push(name);
  }
  const isSelected = (t: TableName) => named.some((e) => selected.has(e.id) && sameTable(e, t));
  // Partitions (a TABLE ATTACH entry depends on the partition and its parent) and inheritance children whose parents
  // all come: the rows of the table the operator named live in them too.
  for (let grew = true; grew;) {
    grew = false;
    const add = (id: number | undefined) => id !== undefined && !selected.has(id) && (selected.add(id), (grew = true));
    for (const attach of all.filter((e) => e.desc === 'TABLE ATTACH')) {
      const child = tables.find((t) => t.schema === attach.schema && t.tag === attach.tag);
      if (child && attach.deps.some((d) => d !== child.id && selected.has(d))) add(child.id);
    }
    for (const child of named) if (child.inherits?.length && child.inherits.every(isSelected)) add(child.id);
  }
  const tableIds = new Set(selected);
  // Sequences the tables use (column defaults) or own (SEQUENCE OWNED BY, identity columns).
  for (const e of all) {
    if (e.desc === 'SEQUENCE' && e.deps.some((d) => tableIds.has(d))) selected.add(e.id);
    if (tableIds.has(e.id)) for (const d of e.deps) if (byId.get(d)?.desc === 'SEQUENCE') selected.add(d);
    if (e.desc === 'SEQUENCE OWNED BY' && e.deps.some((d) => tableIds.has(d)))
      for (const d of e.deps) if (byId.get(d)?.desc === 'SEQUENCE') selected.add(d);
  }
  const relationDeps = relationDependencies(all, byId);
  const leftOut: string[] = [];
  const chosen = all.filter((e) => {
    if (RELATIONS.has(e.desc)) return selected.has(e.id);
    const rel = relationDeps.get(e.id)!;
    if (rel.size === 0) return options.standalone && e.desc !== 'LARGE OBJECT' && e.desc !== 'BLOB DATA';
    const inside = [...rel].filter((r) => selected.has(r)).length;
    if (!options.standalone || inside === rel.size) return inside > 0;
    if (inside > 0 && !DATA_OF[e.desc]) leftOut.push(`${e.desc} ${e.schema === '-' ? '' : `${e.schema}.`}${e.tag}`);
    return false;
  });
  for (const child of named)
    if (child.inherits?.some(isSelected) && !isSelected(child))
      leftOut.push(`TABLE ${tableLabel(child)} (inherits from a table not chosen)`);
  const tablesOut = chosen.filter((e) => e.desc === 'TABLE DATA').map((e) => ({ schema: e.schema, table: e.tag }));
  return { entries: chosen, tables: tablesOut, missing, leftOut };
}

/** For each entry, the relations (tables, views, sequences) it depends on, following non-relation entries in between. */
function relationDependencies(all: TocEntry[], byId: Map<number, TocEntry>): Map<number, Set<number>> {
  const memo = new Map<number, Set<number>>();
  const visit = (e: TocEntry, stack: Set<number>): Set<number> => {
    const hit = memo.get(e.id);
    if (hit) return hit;
    const out = new Set<number>();
    stack.add(e.id);
    for (const d of e.deps) {
      const dep = byId.get(d);
      if (!dep || stack.has(d)) continue;
      if (RELATIONS.has(dep.desc)) out.add(d);
      else for (const r of visit(dep, stack)) out.add(r);
    }
    stack.delete(e.id);
    memo.set(e.id, out);
    return out;
  };
  for (const e of all) visit(e, new Set());
  return memo;
}

/** The list file pg_restore --use-list reads: the chosen entries in archive order. */
export function renderList(entries: TocEntry[]): string {
  return entries.map((e) => e.line).join('\n') + '\n';
}
