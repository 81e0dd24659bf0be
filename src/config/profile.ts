import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import { parseTarget, resolveTarget, type DbTarget } from '../pg/connection.js';
import type { Env } from '../core/env.js';
import type { PgdrConfig, TargetRole } from './schema.js';

export interface ResolvedProfile {
  /** The profile name, or undefined when the target came from --db / DATABASE_URL / PG* without a profile. */
  name: string | undefined;
  target: DbTarget;
  role: TargetRole;
  supabase: boolean;
}

/**
 * The target to work on: the named profile, else `defaultTarget`, else the only profile, else the environment
 * (DATABASE_URL, PG*). A target without a profile counts as production, the safe assumption for drills.
 */
export function resolveProfile(config: PgdrConfig, name?: string, env: Env = process.env): ResolvedProfile {
  const names = Object.keys(config.targets);
  const chosen = name ?? config.defaultTarget ?? (names.length === 1 ? names[0] : undefined);
  if (!chosen) {
    if (names.length > 1) {
      throw new UsageError(
        `Several target profiles are configured (${names.join(', ')}) and none was chosen.`,
        'Pass --profile <name>, or set defaultTarget in pgdr.config.yaml.',
      );
    }
    return {
      name: undefined,
      target: resolveTarget(undefined, env),
      role: 'production',
      supabase: Boolean(env.SUPABASE_PROJECT_REF || env.SUPABASE_DB_URL),
    };
  }
  const profile = config.targets[chosen];
  if (!profile) {
    throw new UsageError(
      `No target profile named "${chosen}".`,
      names.length
        ? `Known profiles: ${names.join(', ')}.`
        : 'Add one under targets: in pgdr.config.yaml (pgdr init writes one).',
    );
  }
  let target: DbTarget;
  if (profile.urlEnv) {
    const url = env[profile.urlEnv];
    if (!url)
      throw new UsageError(
        `Profile "${chosen}" reads its URL from ${profile.urlEnv}, which is not set.`,
        `export ${profile.urlEnv}=postgres://user@host:5432/dbname (the password can stay in ~/.pgpass).`,
      );
    target = parseTarget(url, profile.urlEnv);
  } else {
    target = parseTarget(profile.url!, `profile ${chosen}`);
  }
  if (profile.passwordEnv) {
    const password = env[profile.passwordEnv];
    if (!password)
      throw new UsageError(
        `Profile "${chosen}" reads its password from ${profile.passwordEnv}, which is not set.`,
        `Export ${profile.passwordEnv}, or remove passwordEnv and use ~/.pgpass.`,
      );
    registerSecret(password);
    target = { ...target, password };
  }
  return { name: chosen, target, role: profile.role, supabase: profile.supabase };
}

export interface RepositorySpec {
  url: string;
  s3Endpoint?: string;
  region?: string;
}

/** The backup repository: --repo beats PGDR_REPO (already merged into config) beats the file. */
export function repositorySpec(config: PgdrConfig, flag?: string): RepositorySpec {
  if (flag) return { ...config.repository, url: flag };
  if (config.repository?.url) return config.repository;
  throw new UsageError(
    'No backup repository given.',
    'Pass --repo DIR or --repo s3://bucket/prefix, set PGDR_REPO, or add repository.url to pgdr.config.yaml.',
  );
}
