import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath, runProcess } from '../core/system.js';
import { ToolNotFound, ToolVersionMismatch } from '../core/errors.js';

export type PgTool =
  'pg_dump' | 'pg_restore' | 'psql' | 'pg_dumpall' | 'pgbackrest' | 'initdb' | 'pg_ctl' | 'postgres' | 'pg_waldump';

export interface ToolInfo {
  name: PgTool;
  path: string;
  /** Major version (15, 16, …); 0 for tools that are not versioned like PostgreSQL (pgbackrest). */
  major: number;
  version: string;
}

const PG_LIB = '/usr/lib/postgresql';

/** Debian keeps one bin directory per major version; newest first. */
export function versionedBinDirs(): { major: number; dir: string }[] {
  if (!existsSync(PG_LIB)) return [];
  return readdirSync(PG_LIB)
    .filter((d) => /^\d+$/.test(d))
    .map((d) => ({ major: Number(d), dir: join(PG_LIB, d, 'bin') }))
    .filter((d) => existsSync(d.dir))
    .sort((a, b) => b.major - a.major);
}

const cache = new Map<string, ToolInfo>();

async function describe(name: PgTool, path: string): Promise<ToolInfo> {
  const key = `${name}:${path}`;
  const hit = cache.get(key);
  if (hit) return hit;
  // pgBackRest has a `version` command and rejects --version.
  const out = (await runProcess(path, name === 'pgbackrest' ? ['version'] : ['--version'])).trim();
  const match = /(\d+)(?:\.(\d+))?/.exec(out.replace(/^.*?\)\s*/, '')) ?? /(\d+)(?:\.(\d+))?/.exec(out);
  const version = match ? match[0] : out;
  const info: ToolInfo = { name, path, major: name === 'pgbackrest' ? 0 : Number(match?.[1] ?? 0), version };
  cache.set(key, info);
  return info;
}

/**
 * Finds a PostgreSQL tool, preferring the build whose major version equals `wantMajor` (the server's), then any
 * newer one (pg_dump and pg_restore read older servers and archives), then whatever is on PATH.
 */
export async function findTool(name: PgTool, wantMajor?: number): Promise<ToolInfo> {
  const candidates: string[] = [];
  const dirs = versionedBinDirs();
  if (wantMajor) {
    const exact = dirs.find((d) => d.major === wantMajor);
    if (exact) candidates.push(join(exact.dir, name));
  }
  const fromPath = findOnPath(name);
  if (fromPath) candidates.push(fromPath);
  for (const d of dirs) candidates.push(join(d.dir, name));
  const seen = new Set<string>();
  let best: ToolInfo | undefined;
  for (const path of candidates) {
    if (seen.has(path) || !existsSync(path)) continue;
    seen.add(path);
    const info = await describe(name, path);
    if (!wantMajor || info.major === wantMajor) return info;
    if (info.major > wantMajor && (!best || info.major < best.major)) best = info;
  }
  if (best) return best;
  if (seen.size > 0 && wantMajor) {
    const found = await describe(name, [...seen][0]!);
    throw versionMismatch(found, wantMajor);
  }
  throw new ToolNotFound(`${name} was not found on PATH or in ${PG_LIB}/*/bin.`, {
    hint:
      name === 'pgbackrest'
        ? 'Install it: apt-get install pgbackrest'
        : `Install the PostgreSQL client: apt-get install postgresql-client${wantMajor ? `-${wantMajor}` : ''}`,
  });
}

export function versionMismatch(tool: ToolInfo, serverMajor: number): ToolVersionMismatch {
  return new ToolVersionMismatch(
    `${tool.name} ${tool.version} (${tool.path}) cannot work with a PostgreSQL ${serverMajor} server: it needs ${tool.name} ${serverMajor} or newer.`,
    {
      hint: `Install the PostgreSQL ${serverMajor} client tools (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}, from apt.postgresql.org if your release lacks it); pgdr finds them in ${PG_LIB}/${serverMajor}/bin.`,
    },
  );
}

/** Refuses a tool older than the server: pg_dump and pg_restore cannot handle a newer server's catalog. */
export async function toolFor(name: PgTool, serverMajor: number): Promise<ToolInfo> {
  const tool = await findTool(name, serverMajor);
  if (tool.major < serverMajor) throw versionMismatch(tool, serverMajor);
  return tool;
}
