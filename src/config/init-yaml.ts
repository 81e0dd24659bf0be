import { stringify } from 'yaml';
import type { TargetRole } from './schema.js';

export type NotifyChannelChoice = 'none' | 'slack' | 'discord' | 'webhook' | 'email';

export interface InitAnswers {
  profile: string;
  urlEnv: string;
  role: TargetRole;
  supabase: boolean;
  repository: string;
  s3Endpoint?: string;
  recipients: string[];
  identityFile?: string;
  notify: NotifyChannelChoice;
  /** Env var holding the webhook / SMTP URL of the chosen channel. */
  notifyEnv?: string;
  emailFrom?: string;
  emailTo?: string[];
}

const q = (v: string) => stringify(v).trim();

/** The file `pgdr init` writes: only what was answered, each section with a comment saying what it does. */
export function renderConfigYaml(a: InitAnswers, now: Date): string {
  const out: string[] = [
    `# pgdr configuration, written by pgdr init on ${now.toISOString()}.`,
    '# Secrets are never stored here: each *Env key names an environment variable that holds the value.',
    '# Every key is explained in templates/pgdr.config.example.yaml; pgdr config show prints what is in effect.',
    '',
    'targets:',
    `  ${a.profile}:`,
    `    urlEnv: ${a.urlEnv}          # postgres://user@host:5432/db; the password can live in ~/.pgpass`,
    `    role: ${a.role}          # production | staging | scratch: drills only ever write to scratch`,
    ...(a.supabase ? ['    supabase: true'] : []),
    `defaultTarget: ${a.profile}`,
    '',
    'repository:',
    `  url: ${q(a.repository)}`,
    ...(a.s3Endpoint ? [`  s3Endpoint: ${q(a.s3Endpoint)}`] : []),
  ];
  if (a.recipients.length || a.identityFile) {
    out.push('', 'encryption:', '  recipients:', ...a.recipients.map((r) => `    - ${r}`));
    if (a.identityFile) out.push(`  identityFile: ${q(a.identityFile)}`);
  } else {
    out.push(
      '',
      '# Backups are not encrypted. To encrypt them: age-keygen -o ~/.config/pgdr/key.txt, then',
      '# encryption:',
      '#   recipients: [age1…]',
    );
  }
  if (a.notify !== 'none' && a.notifyEnv) {
    out.push('', 'notifications:');
    if (a.notify === 'slack' || a.notify === 'discord') out.push(`  ${a.notify}:`, `    webhookUrlEnv: ${a.notifyEnv}`);
    if (a.notify === 'webhook') out.push('  webhook:', `    urlEnv: ${a.notifyEnv}`);
    if (a.notify === 'email')
      out.push(
        '  email:',
        `    smtpUrlEnv: ${a.notifyEnv}`,
        `    from: ${q(a.emailFrom ?? 'pgdr@localhost')}`,
        `    to: [${(a.emailTo ?? []).map(q).join(', ')}]`,
      );
    out.push('  on: [backup.failed, verify.failed, run.aborted, doctor.critical]');
  }
  out.push(
    '',
    '# The seeds’ schedule (UTC); pgdr schedule --cron | --systemd installs it.',
    'schedules:',
    '  full: "0 2 * * *"',
    '  schema: "0 3 * * 0"',
    '  prune: "0 4 * * *"',
    '  verify: "0 5 * * 0"',
    '  doctor: "15 * * * *"',
    '',
    'retention:',
    '  keepDaily: 7',
    '  keepWeekly: 4',
    '  keepMonthly: 12',
    '  keepYearly: 5',
    '',
    'thresholds:',
    '  maxBackupAgeHours: 24   # pgdr doctor: older newest backup is critical',
    '  maxVerifyAgeDays: 7     # older newest verification is a warning',
    '  sizeChangePct: 20       # backup size jump against the previous one is a warning',
    '',
  );
  return out.join('\n');
}
