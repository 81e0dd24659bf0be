import { loadConfig } from '../config/load.js';
import { resolveProfile } from '../config/profile.js';
import type { PgdrConfig } from '../config/schema.js';
import { parseTarget, type DbTarget } from '../pg/connection.js';
import { UsageError } from '../core/errors.js';
import type { TargetOrigin, TargetProfile } from '../actions/registry.js';
import type { RunMode } from '../actions/registry.js';

export interface TargetFlags {
  profile?: string;
  db?: string;
  scratch?: string;
  target?: string[];
  production?: string[];
  config?: string;
}

/** The environment variables a target read without a profile, by DbTarget.source. */
const SOURCE_ENV: Record<string, string[]> = {
  DATABASE_URL: ['DATABASE_URL'],
  SUPABASE_DB_URL: ['SUPABASE_DB_URL'],
  SUPABASE_PROJECT_REF: ['SUPABASE_PROJECT_REF', 'SUPABASE_DB_PASSWORD'],
};

/** Where a target came from, for the journal: the profile or URL, and the variables that held its secrets. */
export function originOf(target: DbTarget, config: PgdrConfig, profile?: string): TargetOrigin {
  const configured = profile ? config.targets[profile] : undefined;
  const secretEnv = new Set<string>(
    configured
      ? [configured.urlEnv, configured.passwordEnv].filter((v): v is string => Boolean(v))
      : (SOURCE_ENV[target.source] ?? []),
  );
  // libpq and pgdr take PGPASSWORD (also what --password-file and --password set) when the URL has none.
  if (!target.password && process.env.PGPASSWORD) secretEnv.add('PGPASSWORD');
  return {
    profile,
    source: target.source,
    secretEnv: [...secretEnv],
    passwordGiven: !configured && !SOURCE_ENV[target.source] && Boolean(target.password) ? true : undefined,
  };
}

const profileTarget = (config: PgdrConfig, name: string, as = name): TargetProfile => {
  const p = resolveProfile(config, name);
  return { name: as, target: p.target, production: p.role === 'production', origin: originOf(p.target, config, name) };
};

const urlTarget = (
  config: PgdrConfig,
  name: string,
  url: string,
  source: string,
  production: boolean,
): TargetProfile => {
  const target = parseTarget(url, source);
  return { name, target, production, origin: originOf(target, config) };
};

/**
 * The run's target profiles: `primary` (the database in trouble), `scratch` (where drills restore), the configured
 * profiles, and `restored` — primary in an incident, scratch in a drill — which runbooks restore into and validate.
 */
export async function buildRunTargets(flags: TargetFlags, mode: RunMode): Promise<Record<string, TargetProfile>> {
  const { config } = await loadConfig({ configPath: flags.config });
  const targets: Record<string, TargetProfile> = {};
  for (const name of Object.keys(config.targets)) {
    try {
      targets[name] = profileTarget(config, name);
    } catch {
      // A profile whose env is not set here is simply not available to this run.
    }
  }
  if (flags.db) targets.primary = urlTarget(config, 'primary', flags.db, '--db', true);
  else {
    try {
      const p = resolveProfile(config, flags.profile);
      targets.primary = {
        name: 'primary',
        target: p.target,
        production: p.role === 'production',
        origin: originOf(p.target, config, p.name),
      };
    } catch (error) {
      if (flags.profile) throw error;
    }
  }
  const scratchProfile = Object.entries(config.targets).find(([, t]) => t.role === 'scratch')?.[0];
  if (flags.scratch) {
    targets.scratch = flags.scratch.includes('://')
      ? urlTarget(config, 'scratch', flags.scratch, '--scratch', false)
      : { ...requireProfile(targets, flags.scratch), name: 'scratch' };
  } else if (scratchProfile && targets[scratchProfile])
    targets.scratch = { ...targets[scratchProfile]!, name: 'scratch' };
  for (const pair of flags.target ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1)
      throw new UsageError(
        `--target ${pair} is not name=postgres://…`,
        'Use --target scratch=postgres://user@host/db.',
      );
    const name = pair.slice(0, eq);
    targets[name] = urlTarget(config, name, pair.slice(eq + 1), `--target ${name}`, false);
  }
  for (const name of flags.production ?? []) targets[name] = { ...requireProfile(targets, name), production: true };
  const restored = mode === 'drill' ? targets.scratch : targets.primary;
  if (restored) targets.restored = { ...restored, name: 'restored' };
  return targets;
}

function requireProfile(targets: Record<string, TargetProfile>, name: string): TargetProfile {
  const t = targets[name];
  if (!t)
    throw new UsageError(
      `No target called '${name}'.`,
      `Known: ${Object.keys(targets).join(', ') || 'none'}; add it with --target ${name}=postgres://… or in pgdr.config.yaml.`,
    );
  return t;
}
