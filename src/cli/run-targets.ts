import { loadConfig } from '../config/load.js';
import { resolveProfile } from '../config/profile.js';
import { parseTarget } from '../pg/connection.js';
import { UsageError } from '../core/errors.js';
import type { TargetProfile } from '../actions/registry.js';
import type { RunMode } from '../actions/registry.js';

export interface TargetFlags {
  profile?: string;
  db?: string;
  scratch?: string;
  target?: string[];
  production?: string[];
  config?: string;
}

/**
 * The run's target profiles: `primary` (the database in trouble), `scratch` (where drills restore), the configured
 * profiles, and `restored` — primary in an incident, scratch in a drill — which runbooks restore into and validate.
 */
export async function buildRunTargets(flags: TargetFlags, mode: RunMode): Promise<Record<string, TargetProfile>> {
  const { config } = await loadConfig({ configPath: flags.config });
  const targets: Record<string, TargetProfile> = {};
  for (const name of Object.keys(config.targets)) {
    try {
      const p = resolveProfile(config, name);
      targets[name] = { name, target: p.target, production: p.role === 'production' };
    } catch {
      // A profile whose env is not set here is simply not available to this run.
    }
  }
  if (flags.db) targets.primary = { name: 'primary', target: parseTarget(flags.db, '--db'), production: true };
  else {
    try {
      const p = resolveProfile(config, flags.profile);
      targets.primary = { name: 'primary', target: p.target, production: p.role === 'production' };
    } catch (error) {
      if (flags.profile) throw error;
    }
  }
  const scratchProfile = Object.entries(config.targets).find(([, t]) => t.role === 'scratch')?.[0];
  if (flags.scratch) {
    targets.scratch = flags.scratch.includes('://')
      ? { name: 'scratch', target: parseTarget(flags.scratch, '--scratch'), production: false }
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
    targets[name] = { name, target: parseTarget(pair.slice(eq + 1), `--target ${name}`), production: false };
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
