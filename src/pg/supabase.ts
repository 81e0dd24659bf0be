/**
 * Which schemas and roles Supabase manages, as the Supabase CLI's `db dump` knows them
 * (pkg/migration/dump.go: InternalSchemas, excludedSchemas for data dumps, reservedRoles).
 */

/** Never dumped from a Supabase project: owned by extensions or the platform; the `postgres` role cannot (or must not) read them. */
export const SUPABASE_EXCLUDED_SCHEMAS = [
  'graphql',
  'graphql_public',
  'pgsodium',
  'pgsodium_masks',
  'pgtle',
  'repack',
  'tiger',
  'tiger_data',
  'timescaledb_*',
  '_timescaledb_*',
  'topology',
  'vault',
  'extensions',
  'pgbouncer',
  'realtime',
  'supabase_migrations',
  '_analytics',
  '_realtime',
  '_supavisor',
] as const;

/** Schemas a fresh Supabase project already has: their definitions are not restored into one, but auth and storage rows are. */
export const SUPABASE_MANAGED_SCHEMAS = [
  '_analytics',
  '_realtime',
  '_supavisor',
  'auth',
  'extensions',
  'pgbouncer',
  'realtime',
  'storage',
  'supabase_functions',
  'supabase_migrations',
  'cron',
  'dbdev',
  'graphql',
  'graphql_public',
  'net',
  'pgmq',
  'pgsodium',
  'pgsodium_masks',
  'pgtle',
  'repack',
  'tiger',
  'tiger_data',
  'timescaledb_*',
  '_timescaledb_*',
  'topology',
  'vault',
] as const;

/** Roles every Supabase project creates itself; a roles dump leaves them out. */
export const SUPABASE_RESERVED_ROLES = [
  'anon',
  'authenticated',
  'authenticator',
  'dashboard_user',
  'pgbouncer',
  'postgres',
  'service_role',
  'supabase_admin',
  'supabase_auth_admin',
  'supabase_functions_admin',
  'supabase_read_only_user',
  'supabase_realtime_admin',
  'supabase_replication_admin',
  'supabase_storage_admin',
  'pgsodium_keyholder',
  'pgsodium_keyiduser',
  'pgsodium_keymaker',
  'pgtle_admin',
] as const;

/** Matches a schema name against a pg_dump-style pattern list ("timescaledb_*"). */
export function schemaMatches(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/**
 * Keeps the custom roles of a `pg_dumpall --roles-only` script: drops statements that create or alter a reserved
 * role, and grants made to one.
 */
export function filterRolesScript(sql: string): string {
  const reserved = new Set<string>(SUPABASE_RESERVED_ROLES);
  const isReserved = (ident: string) => {
    const name = ident.replace(/^"|"$/g, '').replace(/""/g, '"');
    return reserved.has(name) || name.startsWith('pg_');
  };
  return sql
    .split('\n')
    .filter((line) => {
      const role = /^(?:CREATE|ALTER|COMMENT ON) ROLE ("(?:[^"]|"")+"|[^\s;]+)/i.exec(line);
      if (role) return !isReserved(role[1]!);
      const grant = /^GRANT .+ TO ("(?:[^"]|"")+"|[^\s;]+)/i.exec(line);
      if (grant) return !isReserved(grant[1]!);
      return true;
    })
    .join('\n');
}
