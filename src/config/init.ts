import { existsSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, type PgdrError } from '../core/errors.js';
import type { Logger } from '../core/context.js';
import { withClient } from '../pg/client.js';
import { parseTarget } from '../pg/connection.js';
import type { Env } from '../core/env.js';
import { openRepository } from '../storage/index.js';
import { CONFIG_FILE } from './paths.js';
import type { TargetRole } from './schema.js';
import { renderConfigYaml, type InitAnswers, type NotifyChannelChoice } from './init-yaml.js';

/** How the wizard asks: @inquirer/prompts in a terminal, a scripted list in tests. */
export interface InitPrompter {
  text(question: { message: string; default?: string; validate?: (value: string) => true | string }): Promise<string>;
  select<T extends string>(question: {
    message: string;
    choices: { name: string; value: T }[];
    default?: T;
  }): Promise<T>;
  confirm(question: { message: string; default: boolean }): Promise<boolean>;
}

export class InitRefused extends UsageError {}

export interface CheckResult {
  ok: boolean;
  message: string;
}

export async function checkConnection(urlEnv: string, env: Env): Promise<CheckResult> {
  const url = env[urlEnv];
  if (!url)
    return {
      ok: false,
      message: `${urlEnv} is not set in this shell; the connection was not tested (export it, then run pgdr doctor).`,
    };
  try {
    const target = parseTarget(url, urlEnv);
    const version = await withClient(
      target,
      async (c) => (await c.query<{ v: string }>(`select 1 as one, current_setting('server_version') as v`)).rows[0]!.v,
    );
    return { ok: true, message: `connected to ${target.display} (PostgreSQL ${version})` };
  } catch (error) {
    const e = error as PgdrError;
    return { ok: false, message: `${e.message}${e.hint ? ` — ${e.hint}` : ''}` };
  }
}

export async function checkRepository(url: string, s3Endpoint: string | undefined, env: Env): Promise<CheckResult> {
  try {
    const repo = openRepository(url, { s3Endpoint, env });
    await repo.probe();
    return { ok: true, message: `repository ${repo.url} is reachable and writable` };
  } catch (error) {
    const e = error as PgdrError;
    return { ok: false, message: `${e.message}${e.hint ? ` — ${e.hint}` : ''}` };
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const isEnvName = (v: string) =>
  ENV_NAME.test(v.trim()) || 'an environment variable name, e.g. DATABASE_URL (the URL itself stays out of the file)';

/** The interactive wizard: asks, and tests the connection and the repository as it goes. */
export async function askInitAnswers(ask: InitPrompter, options: { env: Env; log: Logger }): Promise<InitAnswers> {
  const urlEnv = (
    await ask.text({
      message: 'Environment variable holding the database URL',
      default: 'DATABASE_URL',
      validate: isEnvName,
    })
  ).trim();
  const connection = await checkConnection(urlEnv, options.env);
  (connection.ok ? options.log.info : options.log.warn)(connection.message);
  const profile = (
    await ask.text({
      message: 'Name for this target profile',
      default: 'production',
      validate: (v) => /^[a-z0-9][a-z0-9_-]*$/i.test(v.trim()) || 'letters, digits, - and _',
    })
  ).trim();
  const role = await ask.select<TargetRole>({
    message: 'What is this database?',
    choices: [
      { name: 'production: drills never write to it', value: 'production' },
      { name: 'staging', value: 'staging' },
      { name: 'scratch: restores may overwrite it', value: 'scratch' },
    ],
    default: 'production',
  });
  const supabase = await ask.confirm({
    message: 'Is it a Supabase project?',
    default: /supabase\.(co|com)/.test(options.env[urlEnv] ?? ''),
  });
  let repository: string;
  let s3Endpoint: string | undefined;
  for (;;) {
    repository = (
      await ask.text({ message: 'Backup repository (a directory, or s3://bucket/prefix)', default: './pgdr-backups' })
    ).trim();
    if (repository.startsWith('s3://'))
      s3Endpoint = (await ask.text({ message: 'S3 endpoint (empty for AWS)', default: '' })).trim() || undefined;
    const probe = await checkRepository(repository, s3Endpoint, options.env);
    (probe.ok ? options.log.info : options.log.warn)(probe.message);
    if (probe.ok || !(await ask.confirm({ message: 'Choose another repository?', default: true }))) break;
  }
  const recipientText = (
    await ask.text({
      message: 'age recipients to encrypt backups to (age1…, space-separated; empty for none)',
      default: '',
      validate: (v) =>
        v
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .every((r) => /^age1[02-9ac-hj-np-z]{58}$/.test(r)) ||
        'each recipient is an age public key: age1 followed by 58 characters (age-keygen -y key.txt prints it)',
    })
  ).trim();
  const notify = await ask.select<NotifyChannelChoice>({
    message: 'Where should failures be reported?',
    choices: [
      { name: 'nowhere for now', value: 'none' },
      { name: 'Slack webhook', value: 'slack' },
      { name: 'Discord webhook', value: 'discord' },
      { name: 'email (SMTP)', value: 'email' },
      { name: 'generic JSON webhook', value: 'webhook' },
    ],
    default: 'none',
  });
  const answers: InitAnswers = {
    profile,
    urlEnv,
    role,
    supabase,
    repository,
    s3Endpoint,
    recipients: recipientText ? recipientText.split(/\s+/) : [],
    notify,
  };
  if (notify !== 'none') {
    const suggested = {
      slack: 'SLACK_WEBHOOK_URL',
      discord: 'DISCORD_WEBHOOK_URL',
      webhook: 'PGDR_WEBHOOK_URL',
      email: 'PGDR_SMTP_URL',
    }[notify];
    answers.notifyEnv = (
      await ask.text({
        message: `Environment variable holding the ${notify === 'email' ? 'SMTP URL (smtp://user:pass@host:587)' : 'webhook URL'}`,
        default: suggested,
        validate: isEnvName,
      })
    ).trim();
  }
  if (notify === 'email') {
    answers.emailFrom = (await ask.text({ message: 'From address', default: 'pgdr@localhost' })).trim();
    answers.emailTo = (
      await ask.text({ message: 'To (comma-separated)', validate: (v) => v.includes('@') || 'at least one address' })
    )
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return answers;
}

/** Writes pgdr.config.yaml (mode 0600); refuses to overwrite one unless `force`. */
export function writeInitConfig(answers: InitAnswers, options: { cwd: string; force?: boolean; now?: Date }): string {
  const path = join(options.cwd, CONFIG_FILE);
  if (existsSync(path) && !options.force) {
    throw new InitRefused(`${path} already exists.`, {
      hint: 'Edit it, or rerun with --force to replace it (pgdr config show prints what is in effect).',
    });
  }
  writeFileSync(path, renderConfigYaml(answers, options.now ?? new Date()), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
