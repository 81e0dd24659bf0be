import { type PgdrError } from '../core/errors.js';
import type { Env } from '../core/env.js';
import { parseTarget, resolveTarget } from '../pg/connection.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { repositorySpec, resolveProfile } from '../config/profile.js';
import { configSchema, type PgdrConfig } from '../config/schema.js';
import { openRepository, type Repository } from '../storage/index.js';
import { listBackups, type Catalog } from '../backup/index.js';
import { readAudit } from '../audit/audit-log.js';
import { checkTargets, checkTools, type DoctorTarget } from './check-targets.js';
import { checkDisk, checkRepository } from './check-repository.js';
import { checkBackups } from './check-backups.js';
import { checkEncryption } from './check-encryption.js';
import { checkNotifications } from './check-notifications.js';
import { checkStaging } from './check-staging.js';
import { checkArchiving, checkPhysical } from './check-physical.js';
import { checkDeletable } from './check-deletable.js';
import { critical, ok, overall, warning, type DoctorReport, type Finding, type Metric } from './finding.js';

export interface DoctorOptions {
  cwd?: string;
  configPath?: string;
  env?: Env;
  db?: string;
  profile?: string;
  repo?: string;
  s3Endpoint?: string;
  now?: Date;
}

/** Every check of `pgdr doctor`; never throws for a problem it can report as a finding. */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const now = options.now ?? new Date();
  const findings: Finding[] = [];
  const metrics: Metric[] = [];

  let loaded: LoadedConfig | undefined;
  try {
    loaded = await loadConfig({ cwd: options.cwd, configPath: options.configPath, env });
    findings.push(
      ok(
        'config.valid',
        loaded.path ? `${loaded.path} is valid` : 'no pgdr.config.yaml; using defaults and the environment',
      ),
    );
    for (const w of loaded.warnings)
      findings.push(warning('config.warning', w, 'See the message; pgdr config show prints what is in effect.'));
  } catch (error) {
    findings.push(
      critical('config.valid', (error as Error).message, (error as PgdrError).hint ?? 'Fix pgdr.config.yaml.'),
    );
  }
  const config: PgdrConfig = loaded?.config ?? configSchema.parse({});

  if (loaded) findings.push(...checkNotifications(config, env));
  findings.push(...(await checkTools()));
  findings.push(...checkStaging(env));
  const targets = doctorTargets(config, options, env, findings);
  findings.push(...(await checkTargets(targets, metrics)));
  findings.push(...(await checkArchiving(targets, config)));
  findings.push(...(await checkPhysical(config, readAudit({ env }), now, metrics)));

  let repo: Repository | undefined;
  let catalog: Catalog | undefined;
  try {
    const spec = repositorySpec(config, options.repo);
    repo = openRepository(spec.url, { s3Endpoint: options.s3Endpoint ?? spec.s3Endpoint, region: spec.region, env });
  } catch (error) {
    findings.push(
      critical(
        'repository.configured',
        (error as Error).message,
        (error as PgdrError).hint ?? 'Set repository.url in pgdr.config.yaml.',
      ),
    );
  }
  if (repo) {
    const probe = await checkRepository(repo);
    findings.push(...probe.findings);
    if (probe.usable) {
      try {
        catalog = await listBackups(repo);
      } catch (error) {
        findings.push(
          critical(
            'repository.list',
            `could not list backups: ${(error as Error).message}`,
            'Check read permission on the repository.',
            repo.url,
          ),
        );
      }
    }
  }
  if (repo && catalog) {
    if (catalog.damaged.length)
      findings.push(
        warning(
          'backup.damaged',
          `${catalog.damaged.length} backup director${catalog.damaged.length === 1 ? 'y' : 'ies'} cannot be used and ${catalog.damaged.length === 1 ? 'is' : 'are'} kept as found: ${catalog.damaged
            .slice(0, 3)
            .map((d) => `${d.id} (${d.reason})`)
            .join('; ')}`,
          'Find out who changed them (pgdr backups list names each); prune never removes them.',
          repo.url,
        ),
      );
    findings.push(...(await checkDisk(repo, catalog, metrics)));
    const backedUp = targets.filter((t) => !t.scratch);
    const databases = backedUp.length
      ? [...new Set(backedUp.map((t) => t.target.database))]
      : [...new Set(catalog.backups.map((b) => b.manifest.database))];
    if (databases.length === 0)
      findings.push(
        critical(
          'backup.age',
          'the repository holds no backups and no target is configured',
          'Configure a target (pgdr init) and take a backup (pgdr backup).',
          repo.url,
        ),
      );
    findings.push(...checkBackups(databases, catalog, config.thresholds, readAudit({ env }), now, metrics));
    findings.push(...(await checkDeletable(repo, catalog, databases, now)));
    const newestEncrypted = catalog.backups
      .filter((b) => b.manifest.encryption && databases.includes(b.manifest.database))
      .at(-1);
    findings.push(...(await checkEncryption(config, repo, newestEncrypted)));
  } else {
    findings.push(...(await checkEncryption(config, undefined, undefined)));
  }
  return { ...overall(findings), checkedAt: now.toISOString(), findings, metrics };
}

/** --db, else --profile, else every configured profile, else the environment (DATABASE_URL, PG*). */
function doctorTargets(config: PgdrConfig, options: DoctorOptions, env: Env, findings: Finding[]): DoctorTarget[] {
  try {
    if (options.db) return [{ label: '--db', target: parseTarget(options.db, '--db') }];
    if (options.profile) {
      const profile = resolveProfile(config, options.profile, env);
      return [{ label: options.profile, target: profile.target, scratch: profile.role === 'scratch' }];
    }
  } catch (error) {
    findings.push(
      critical('target.configured', (error as Error).message, (error as PgdrError).hint ?? 'Check the target.'),
    );
    return [];
  }
  const names = Object.keys(config.targets);
  if (names.length === 0) {
    try {
      const target = resolveTarget(undefined, env);
      return [{ label: target.source, target }];
    } catch {
      findings.push(
        warning('target.configured', 'no database target configured', 'Add one with pgdr init, or set DATABASE_URL.'),
      );
      return [];
    }
  }
  const out: DoctorTarget[] = [];
  for (const name of names) {
    try {
      const profile = resolveProfile(config, name, env);
      out.push({ label: name, target: profile.target, scratch: profile.role === 'scratch' });
    } catch (error) {
      findings.push(
        warning(
          'target.configured',
          (error as Error).message,
          (error as PgdrError).hint ?? 'Set the variable the profile names.',
          name,
        ),
      );
    }
  }
  return out;
}
