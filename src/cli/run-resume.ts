import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { resolveProfile } from '../config/profile.js';
import type { PgdrConfig } from '../config/schema.js';
import { parseTarget, resolveTarget, type DbTarget } from '../pg/connection.js';
import { registerSecret } from '../core/secrets.js';
import { UsageError } from '../core/errors.js';
import { pgdrAlive } from '../core/process-alive.js';
import type { RunMode, TargetProfile } from '../actions/registry.js';
import type { RunServices, ServiceRecipe } from '../actions/run-services.js';
import type { RunOptions } from '../runbook/run-api.js';
import type { Ask } from '../runbook/inputs.js';
import { readJournal, type RunMetaRecord } from '../runbook/journal.js';
import { foldJournal } from '../runbook/run-state.js';
import { buildRunTargets, type TargetFlags } from './run-targets.js';
import { buildRunServices, type ServiceFlags } from './run-services.js';

/** Whether the pgdr that ran an attempt still runs; undefined for another host, where it cannot be told. */
export const attemptAlive = (p: { pid: number; host: string }): boolean | undefined =>
  p.host === hostname() ? pgdrAlive(p.pid) : undefined;

/** What a new run journals about its services: where they are, never a secret. */
export function serviceRecipe(flags: ServiceFlags): ServiceRecipe {
  return {
    repo: flags.repo && !flags.repo.includes('://') ? resolve(flags.repo) : flags.repo,
    s3Endpoint: flags.s3Endpoint,
    config: flags.config ? resolve(flags.config) : undefined,
    identity: flags.identity ? resolve(flags.identity) : undefined,
    passphraseEnv: flags.passphraseEnv,
  };
}

/** Asks once for each secret a resume cannot find (by variable name, or by target for a password typed in a URL). */
class MissingSecrets {
  private readonly asked = new Set<string>();
  constructor(private readonly ask: Ask) {}

  /** Sets `name` in this process's environment if it is not set: the tools and libraries read it from there. */
  async env(name: string, heldWhat: string): Promise<void> {
    if (process.env[name] || this.asked.has(name)) return;
    this.asked.add(name);
    const value = await this.ask({
      kind: 'text',
      secret: true,
      id: `resume.env.${name}`,
      message: `${name} held ${heldWhat} when the run began and is not set now. Its value (empty: go on without it):`,
    });
    if (typeof value === 'string' && value) {
      registerSecret(value);
      process.env[name] = value;
    }
  }

  async password(target: TargetProfile): Promise<string | undefined> {
    const key = target.target.display;
    if (this.asked.has(key)) return undefined;
    this.asked.add(key);
    const value = await this.ask({
      kind: 'text',
      secret: true,
      id: `resume.password.${target.name}`,
      message: `The password of target ${target.name} (${key}) was in its URL on the command line, which nothing keeps. Password (empty: none, e.g. ~/.pgpass has it):`,
    });
    if (typeof value !== 'string' || !value) return undefined;
    registerSecret(value);
    return value;
  }
}

type Journaled = RunMetaRecord['targets'][number];

/** A target as the journal describes it, built again: its profile, its variable, or its URL without the password. */
async function rebuildTarget(t: Journaled, config: PgdrConfig, secrets: MissingSecrets): Promise<TargetProfile> {
  for (const name of t.secretEnv ?? [])
    await secrets.env(name, `the URL or password of target ${t.name} (${t.display})`);
  const fromEnv = t.source && ['DATABASE_URL', 'SUPABASE_DB_URL', 'SUPABASE_PROJECT_REF'].includes(t.source);
  let target: DbTarget = t.profile
    ? resolveProfile(config, t.profile).target
    : fromEnv && process.env[t.source!]
      ? resolveTarget(undefined, process.env)
      : parseTarget(t.display.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):\*\*\*@/i, '$1@'), t.source ?? 'the journal');
  const profile: TargetProfile = { name: t.name, target, production: t.production, origin: t };
  if (t.passwordGiven && !target.password && !process.env.PGPASSWORD) {
    const password = await secrets.password(profile);
    if (password) target = { ...target, password };
  }
  return { ...profile, target };
}

/** The names the command line gives again: those are taken as given, the others rebuilt from the journal. */
function namedAgain(flags: TargetFlags): Set<string> {
  const names = new Set((flags.target ?? []).map((pair) => pair.slice(0, pair.indexOf('='))));
  if (flags.db || flags.profile) names.add('primary');
  if (flags.scratch) names.add('scratch');
  return names;
}

/** `RunOptions.rebuild` for `pgdr run --resume`: the journal's targets and services, with what the flags say again. */
export function rebuildFromJournal(
  flags: TargetFlags & ServiceFlags,
  mode: RunMode,
  interactive: boolean,
): NonNullable<RunOptions['rebuild']> {
  return async (meta, ask) => {
    const secrets = new MissingSecrets(ask);
    const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
    const serviceFlags: ServiceFlags = { ...meta.services, ...given };
    if (serviceFlags.passphraseEnv) await secrets.env(serviceFlags.passphraseEnv, 'the backup passphrase');
    const services: RunServices = await buildRunServices(serviceFlags, interactive);
    const { config } = await loadConfig({ configPath: serviceFlags.config });
    const again = namedAgain(flags);
    const fresh = again.size ? await buildRunTargets({ ...flags, config: serviceFlags.config }, mode) : {};
    const targets: Record<string, TargetProfile> = {};
    for (const t of meta.targets) {
      if (again.has(t.name) && fresh[t.name]) targets[t.name] = fresh[t.name]!;
      else if (t.name !== 'restored') targets[t.name] = await rebuildTarget(t, config, secrets);
    }
    // `restored` is primary in an incident and scratch in a drill, unless the journal says it was something else.
    const base = targets[mode === 'drill' ? 'scratch' : 'primary'];
    const journaled = meta.targets.find((t) => t.name === 'restored');
    if (journaled)
      targets.restored =
        base && (again.has(base.name) || base.target.display === journaled.display)
          ? { ...base, name: 'restored' }
          : await rebuildTarget(journaled, config, secrets);
    return { targets, services };
  };
}

/** Refuses to resume a run whose pgdr still runs on this host: two processes would take the same steps. */
export function assertNotRunning(runsDir: string, runId: string): void {
  const state = foldJournal(readJournal(join(runsDir, runId)));
  const p = state.header?.process;
  if (!state.finished && !state.suspended && p && attemptAlive(p))
    throw new UsageError(
      `Run ${runId} is still running (pgdr process ${p.pid}).`,
      `Follow it where it runs, or stop it there first (q, then Suspend; or kill -HUP ${p.pid}), then resume.`,
    );
}
