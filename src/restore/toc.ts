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
}

// Longest first, so "MATERIALIZED VIEW DATA" wins over "MATERIALIZED VIEW".
const MULTIWORD_DESCS = [
  'MATERIALIZED VIEW DATA',
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

const RELATIONS = new Set(['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'SEQUENCE', 'FOREIGN TABLE']);
const DATA_OF: Record<string, string> = {
  'TABLE DATA': 'TABLE',
  'SEQUENCE SET': 'SEQUENCE',
  'MATERIALIZED VIEW DATA': 'MATERIALIZED VIEW',
};

export const tocKey = (e: Pick<TocEntry, 'schema' | 'tag'>) => `${e.schema}.${e.tag}`;

export interface TableSelection {
  entries: TocEntry[];
  /** "schema.table" of every table whose data is restored (partitions included). */
  tables: string[];
}

/**
 * The entries that bring back some tables: their definitions, data, partitions, owned sequences, and every index,
 * constraint, trigger, policy or default that hangs on them alone. With `standalone` (a new database) the objects that
 * need no table (schemas, types, functions) come too; in place they already exist. Unknown names come back in `missing`.
 */
export function selectTables(
  all: TocEntry[],
  names: string[],
  options: { standalone: boolean },
): TableSelection & { missing: string[] } {
  const byId = new Map(all.map((e) => [e.id, e]));
  const tables = all.filter((e) => e.desc === 'TABLE');
  const selected = new Set<number>();
  const missing: string[] = [];
  for (const name of names) {
    const found = findTable(tables, name);
    if (found) selected.add(found.id);
    else missing.push(name);
  }
  // Partitions: a TABLE ATTACH entry depends on the partition and its parent.
  for (let grew = true; grew;) {
    grew = false;
    for (const attach of all.filter((e) => e.desc === 'TABLE ATTACH')) {
      const child = tables.find((t) => t.schema === attach.schema && t.tag === attach.tag);
      if (child && !selected.has(child.id) && attach.deps.some((d) => d !== child.id && selected.has(d))) {
        selected.add(child.id);
        grew = true;
      }
    }
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
  const chosen = all.filter((e) => {
    if (RELATIONS.has(e.desc)) return selected.has(e.id);
    const rel = relationDeps.get(e.id)!;
    if (rel.size === 0) return options.standalone && e.desc !== 'LARGE OBJECT' && e.desc !== 'BLOB DATA';
    const inside = [...rel].filter((r) => selected.has(r)).length;
    return options.standalone ? inside === rel.size : inside > 0;
  });
  const tablesOut = chosen.filter((e) => e.desc === 'TABLE DATA').map(tocKey);
  return { entries: chosen, tables: tablesOut, missing };
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

function findTable(tables: TocEntry[], name: string): TocEntry | undefined {
  const unquote = (s: string) => s.replace(/^"|"$/g, '').replace(/""/g, '"');
  const dot = name.match(/^("(?:[^"]|"")+"|[^.]+)\.(.+)$/);
  if (dot) {
    const [schema, table] = [unquote(dot[1]!), unquote(dot[2]!)];
    return (
      tables.find((t) => t.schema === schema && t.tag === table) ??
      tables.find((t) => t.schema === schema.toLowerCase() && t.tag === table.toLowerCase())
    );
  }
  const bare = unquote(name);
  const matches = tables.filter((t) => t.tag === bare || t.tag === bare.toLowerCase());
  return matches.find((t) => t.schema === 'public') ?? (matches.length === 1 ? matches[0] : undefined);
}

/** The list file pg_restore --use-list reads: the chosen entries in archive order. */
export function renderList(entries: TocEntry[]): string {
  return entries.map((e) => e.line).join('\n') + '\n';
}
