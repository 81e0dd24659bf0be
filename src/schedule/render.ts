import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgdrConfig } from '../config/schema.js';
import { cronToOnCalendar } from './on-calendar.js';
import { shippedDir } from '../core/assets.js';

export type JobName = keyof PgdrConfig['schedules'];

export interface ScheduleOptions {
  /** Absolute path of the pgdr executable the jobs run. */
  pgdrBin: string;
  /** Absolute path of pgdr.config.yaml. */
  configPath: string;
  profile?: string;
  /** OS user the jobs run as. */
  user: string;
  envFile: string;
  workingDirectory: string;
  logFile: string;
  now?: Date;
}

export interface RenderedFile {
  /** Absolute install path, e.g. /etc/cron.d/pgdr. */
  path: string;
  content: string;
  mode: number;
}

/** A literal argument, or the value of an environment variable expanded when the job runs (never written out). */
type JobArg = string | { env: string };

export interface Job {
  /** The unit's name after "pgdr-": full, incremental, export-weekly. */
  name: string;
  description: string;
  args: JobArg[];
  /** When, in cron syntax (UTC), or "off". */
  cron: string;
}

/** What each scheduled job runs; the seeds' crontab, as pgdr commands. */
export function scheduledJobs(config: PgdrConfig, profile: string | undefined): Job[] {
  const p = profile ? ['--profile', profile] : [];
  const at = config.schedules;
  // A test restore needs a scratch server; its URL stays in the env file and is expanded at run time.
  const scratch = Object.values(config.targets).find((t) => t.role === 'scratch' && t.urlEnv);
  const verify: Job = scratch
    ? {
        name: 'verify',
        description: 'verify the newest backup with a test restore',
        args: ['backup', 'verify', 'latest', '--restore-test', '--scratch-db', { env: scratch.urlEnv! }],
        cron: at.verify,
      }
    : {
        name: 'verify',
        description:
          'verify the newest backup (checksums, decryption; add a scratch profile with urlEnv for a test restore)',
        args: ['backup', 'verify', 'latest'],
        cron: at.verify,
      };
  return [
    ...physicalJobs(config),
    { name: 'full', description: 'full backup', args: ['backup', ...p], cron: at.full },
    { name: 'schema', description: 'schema-only backup', args: ['backup', 'schema', ...p], cron: at.schema },
    ...Object.entries(config.exports).map(([name, e]): Job => ({
      name: `export-${name}`,
      description: `export ${e.tables.join(', ')} as ${e.format} (kept ${e.keepWeeks} weeks)`,
      args: ['exports', 'run', name],
      cron: e.schedule,
    })),
    { name: 'prune', description: 'apply the retention policy', args: ['prune'], cron: at.prune },
    verify,
    { name: 'doctor', description: 'health check (notifies when critical)', args: ['doctor', ...p], cron: at.doctor },
  ];
}

/** With a pgBackRest stanza: the physical full nightly and the incrementals between (WAL is archived continuously). */
function physicalJobs(config: PgdrConfig): Job[] {
  const stanza = config.pgbackrest?.stanza;
  if (!stanza) return [];
  const args = (kind: string) => [
    'backup',
    kind,
    '--pgbackrest-stanza',
    stanza,
    ...(config.pgbackrest?.configPath ? ['--pgbackrest-config', config.pgbackrest.configPath] : []),
  ];
  const at = config.schedules;
  return [
    {
      name: 'physical-full',
      description: 'physical full backup (pgBackRest)',
      args: args('full'),
      cron: at.physicalFull,
    },
    {
      name: 'differential',
      description: 'physical differential backup (pgBackRest)',
      args: args('differential'),
      cron: at.differential,
    },
    {
      name: 'incremental',
      description: 'physical incremental backup (pgBackRest)',
      args: args('incremental'),
      cron: at.incremental,
    },
  ];
}

/** The shipped templates: beside the package, or the copies inside the one-file bundle. */
const TEMPLATES_DIR = shippedDir('templates', import.meta.url, ['../../templates/', '../templates/']);

/** The package root (where package.json and bin/ are), found upward from this module; undefined inside the bundle. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin/pgdr.mjs'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    return value;
  });
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function activeJobs(
  config: PgdrConfig,
  options: ScheduleOptions,
  envRef: (name: string) => string,
): (Job & { cron: string; command: string })[] {
  return scheduledJobs(config, options.profile)
    .map((job) => ({
      ...job,
      command: [options.pgdrBin, ...job.args]
        .map((a) => (typeof a === 'string' ? shellQuote(a) : envRef(a.env)))
        .join(' '),
    }))
    .filter((job) => job.cron !== 'off');
}

export function renderCron(config: PgdrConfig, options: ScheduleOptions): RenderedFile {
  const env = shellQuote(options.envFile);
  const jobs = activeJobs(config, options, (name) => `"$${name}"`).map(
    (job) =>
      `# ${job.description}\n${job.cron} ${options.user} set -a; [ ! -r ${env} ] || . ${env}; set +a; cd ${shellQuote(options.workingDirectory)} && ${job.command} >> ${shellQuote(options.logFile)} 2>&1`,
  );
  const wal = config.pgbackrest ? [`# ${walLine(config.pgbackrest.stanza)}`] : [];
  const content = fillTemplate(readFileSync(join(TEMPLATES_DIR, 'cron/pgdr.cron.tmpl'), 'utf8'), {
    generatedAt: (options.now ?? new Date()).toISOString(),
    envFile: options.envFile,
    configPath: options.configPath,
    jobs: [...wal, ...jobs].join('\n\n'),
  });
  return { path: '/etc/cron.d/pgdr', content, mode: 0o644 };
}

export function renderSystemd(config: PgdrConfig, options: ScheduleOptions): RenderedFile[] {
  const service = readFileSync(join(TEMPLATES_DIR, 'systemd/pgdr-job.service.tmpl'), 'utf8');
  const timer = readFileSync(join(TEMPLATES_DIR, 'systemd/pgdr-job.timer.tmpl'), 'utf8');
  return activeJobs(config, options, (name) => `${'$'}{${name}}`).flatMap((job) => {
    const unit = `pgdr-${job.name}`;
    const values = {
      generatedAt: (options.now ?? new Date()).toISOString(),
      description: job.description,
      user: options.user,
      configPath: options.configPath,
      envFile: options.envFile,
      workingDirectory: options.workingDirectory,
      execStart: job.command,
      cron: job.cron,
      onCalendar: cronToOnCalendar(job.cron),
      unit,
    };
    return [
      { path: `/etc/systemd/system/${unit}.service`, content: fillTemplate(service, values), mode: 0o644 },
      { path: `/etc/systemd/system/${unit}.timer`, content: fillTemplate(timer, values), mode: 0o644 },
    ];
  });
}

/** WAL needs no job: PostgreSQL's archive_command pushes each segment as it fills (or archive_timeout passes). */
export function walLine(stanza: string): string {
  return `WAL: archived continuously by PostgreSQL's archive_command into stanza ${stanza} (pgdr pitr setup); pgdr doctor checks pg_stat_archiver`;
}

/** The pgdr executable of this installation: bin/pgdr.mjs of the package, or the one-file bundle being run. */
export function defaultPgdrBin(): string {
  const root = packageRoot();
  return root ? join(root, 'bin/pgdr.mjs') : realpathSync(process.argv[1]!);
}
