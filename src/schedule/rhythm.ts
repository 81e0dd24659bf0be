import type { PgdrConfig } from '../config/schema.js';
import { scheduledJobs, type Job } from './render.js';

const DAYS = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'];
const two = (n: string) => n.padStart(2, '0');

/** A cron line in words for the common shapes ("daily 02:00", "every 6 h", "Sundays 03:00"); others as they are. */
export function cronInWords(cron: string): string {
  const [minute, hour, dom, month, dow] = cron.trim().split(/\s+/);
  const num = /^\d+$/;
  if (!minute || !num.test(minute) || month !== '*') return cron;
  if (hour === '*' && dom === '*' && dow === '*') return `hourly at :${two(minute)}`;
  const step = /^\*\/(\d+)$/.exec(hour ?? '');
  if (step && dom === '*' && dow === '*') return `every ${step[1]} h at :${two(minute)}`;
  if (!num.test(hour ?? '')) return cron;
  const time = `${two(hour!)}:${two(minute)}`;
  if (dom === '*' && dow === '*') return `daily ${time}`;
  if (dom === '*' && /^[0-7]$/.test(dow ?? '')) return `${DAYS[Number(dow)]} ${time}`;
  if (dow === '*' && num.test(dom ?? '')) return `day ${dom} of each month ${time}`;
  return cron;
}

/** The command as an operator types it: "pgdr …", an env value as "$NAME". */
function commandLine(job: Job): string {
  return ['pgdr', ...job.args.map((a) => (typeof a === 'string' ? a : `"$${a.env}"`))].join(' ');
}

/** What `pgdr schedule --dry-run` prints: every job with its time in words, WAL, what prune keeps and locks. */
export function describeRhythm(config: PgdrConfig, profile: string | undefined): string {
  const jobs = scheduledJobs(config, profile);
  const on = jobs.filter((j) => j.cron !== 'off');
  const rows: [string, string, string, string][] = on.map((j) => [j.cron, cronInWords(j.cron), j.name, commandLine(j)]);
  if (config.pgbackrest)
    rows.splice(on.findIndex((j) => j.name === 'incremental') + 1 || 0, 0, [
      'continuous',
      'archive_command',
      'wal',
      `each WAL segment into stanza ${config.pgbackrest.stanza} (pgdr pitr setup sets it up)`,
    ]);
  const width = (i: number) => Math.max(...rows.map((r) => (r[i] ?? '').length));
  const lines = rows.map((r) =>
    [r[0].padEnd(width(0)), r[1].padEnd(width(1)), r[2].padEnd(width(2)), r[3]].join('   ').trimEnd(),
  );
  const off = jobs.filter((j) => j.cron === 'off').map((j) => j.name);
  return [
    'Jobs (UTC):',
    ...lines.map((l) => `  ${l}`),
    ...(off.length ? [`  off: ${off.join(', ')}`] : []),
    '',
    `prune keeps: ${keeps(config)}`,
    ...lockLine(config),
    '',
    'pgdr schedule --cron (or --systemd) prints the files; add --install to write them.',
  ].join('\n');
}

function keeps(config: PgdrConfig): string {
  const r = config.retention;
  if (r.days !== undefined) return `everything younger than ${r.days} days`;
  const classes = config.repository?.s3?.storageClass ?? {};
  const tier = (name: 'monthly' | 'yearly') => (classes[name] ? ` (${classes[name]})` : '');
  const exports = Object.entries(config.exports).map(([name, e]) => `; export ${name} ${e.keepWeeks} weeks`);
  return `backups ${r.keepDaily} daily, ${r.keepWeekly} weekly, ${r.keepMonthly} monthly${tier('monthly')}, ${r.keepYearly} yearly${tier('yearly')}${exports.join('')}`;
}

function lockLine(config: PgdrConfig): string[] {
  const lock = config.repository?.lock;
  if (!lock) return [];
  const how = lock.mode ? `S3 Object Lock, ${lock.mode} mode` : 'read-only, chattr +i where the file system allows';
  return [`locked: every new backup for ${lock.days} days (${how}); prune skips it until then`];
}
