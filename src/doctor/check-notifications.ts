import type { Env } from '../core/env.js';
import type { PgdrConfig } from '../config/schema.js';
import { ok, warning, type Finding } from './finding.js';

/** A failure nobody hears about is the failure this tool exists to prevent: channels must exist and have their URLs. */
export function checkNotifications(config: PgdrConfig, env: Env): Finding[] {
  const n = config.notifications;
  const channels: [string, (string | undefined)[]][] = n
    ? ([
        ['slack', n.slack ? [n.slack.webhookUrlEnv] : undefined],
        ['discord', n.discord ? [n.discord.webhookUrlEnv] : undefined],
        ['webhook', n.webhook ? [n.webhook.urlEnv] : undefined],
        [
          'email',
          n.email ? [n.email.smtpUrlEnv ?? (n.email.host ? undefined : 'smtpUrlEnv'), n.email.userEnv] : undefined,
        ],
      ].filter(([, vars]) => vars !== undefined) as [string, (string | undefined)[]][])
    : [];
  if (channels.length === 0) {
    return [
      warning(
        'notify.configured',
        'no notification channel is configured: a failing scheduled backup is only seen by whoever runs pgdr doctor',
        'Add notifications: (slack, discord, email or webhook) to pgdr.config.yaml; see templates/pgdr.config.example.yaml.',
      ),
    ];
  }
  const findings: Finding[] = [];
  for (const [name, vars] of channels) {
    const missing = vars.filter((v): v is string => Boolean(v) && !env[v!]);
    findings.push(
      missing.length
        ? warning(
            'notify.configured',
            `${name}: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set here, so its notifications cannot be sent`,
            `Export ${missing.join(', ')} in the environment the jobs run with (e.g. /etc/pgdr/pgdr.env).`,
            name,
          )
        : ok('notify.configured', `${name} is configured for ${n!.on.join(', ')}`, name),
    );
  }
  if (!n!.on.includes('backup.failed')) {
    findings.push(
      warning(
        'notify.events',
        'backup.failed is not in notifications.on, so a failed backup notifies no one',
        'Add backup.failed to notifications.on in pgdr.config.yaml.',
      ),
    );
  }
  return findings;
}
