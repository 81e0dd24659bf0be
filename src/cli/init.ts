import type { Command } from 'commander';
import chalk from 'chalk';
import { confirm, input, select } from '@inquirer/prompts';
import { UsageError } from '../core/errors.js';
import {
  askInitAnswers,
  checkConnection,
  checkRepository,
  writeInitConfig,
  type InitPrompter,
} from '../config/init.js';
import type { InitAnswers, NotifyChannelChoice } from '../config/init-yaml.js';
import { ROLES, type TargetRole } from '../config/schema.js';
import { collect, stderrLogger } from './output.js';

interface InitFlags {
  yes?: boolean;
  targetEnv: string;
  repo?: string;
  s3Endpoint?: string;
  profile: string;
  role: string;
  supabase?: boolean;
  encryptTo?: string[];
  notify: string;
  notifyEnv?: string;
  force?: boolean;
}

const inquirer: InitPrompter = {
  text: (q) => input({ message: q.message, default: q.default, validate: q.validate }),
  select: (q) => select({ message: q.message, choices: q.choices, default: q.default }),
  confirm: (q) => confirm(q),
};

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'Write pgdr.config.yaml: asks for the database, the repository, encryption and notifications, and tests each as it goes.',
    )
    .option('-y, --yes', 'do not ask: take the answers from the flags below')
    .option('--target-env <VAR>', 'environment variable holding the database URL', 'DATABASE_URL')
    .option('--repo <dir|s3://bucket/prefix>', 'backup repository (required with --yes)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint')
    .option('--profile <name>', 'target profile name', 'production')
    .option('--role <production|staging|scratch>', 'what the target is', 'production')
    .option('--supabase', 'the target is a Supabase project')
    .option('--encrypt-to <age-recipient>', 'encrypt backups to this age public key (repeatable)', collect)
    .option('--notify <none|slack|discord|email|webhook>', 'failure notification channel', 'none')
    .option('--notify-env <VAR>', 'environment variable holding the webhook or SMTP URL')
    .option('--force', 'replace an existing pgdr.config.yaml')
    .addHelpText(
      'after',
      '\nExamples:\n  pgdr init\n  pgdr init --yes --target-env DATABASE_URL --repo /var/backups/pgdr --encrypt-to age1…',
    )
    .action(async (flags: InitFlags) => {
      const log = stderrLogger();
      let answers: InitAnswers;
      if (flags.yes) {
        answers = answersFromFlags(flags);
        const connection = await checkConnection(answers.urlEnv, process.env);
        (connection.ok ? log.info : log.warn)(connection.message);
        const repo = await checkRepository(answers.repository, answers.s3Endpoint, process.env);
        if (!repo.ok)
          throw new UsageError(
            `The repository cannot be used: ${repo.message}`,
            'Fix it or pass another --repo; nothing was written.',
          );
        log.info(repo.message);
      } else {
        if (!process.stdin.isTTY)
          throw new UsageError(
            'pgdr init asks questions, and there is no terminal to ask them on.',
            'Run it in a terminal, or pass --yes --target-env DATABASE_URL --repo DIR.',
          );
        answers = await askInitAnswers(inquirer, { env: process.env, log });
      }
      const path = writeInitConfig(answers, { cwd: process.cwd(), force: flags.force });
      process.stdout.write(
        `${chalk.green('✔')} Wrote ${path} (mode 600).\n\nNext:\n` +
          `  pgdr config show          what is in effect, and where each value comes from\n` +
          `  pgdr backup               take the first backup\n` +
          `  pgdr doctor               check tools, target, repository and backup freshness\n` +
          `  pgdr schedule --cron      the nightly schedule for /etc/cron.d (or --systemd)\n`,
      );
    });
}

function answersFromFlags(flags: InitFlags): InitAnswers {
  if (!flags.repo)
    throw new UsageError(
      'pgdr init --yes needs --repo.',
      'e.g. pgdr init --yes --target-env DATABASE_URL --repo /var/backups/pgdr',
    );
  if (!(ROLES as readonly string[]).includes(flags.role))
    throw new UsageError(`Unknown role "${flags.role}".`, 'Use production, staging or scratch.');
  const channels = ['none', 'slack', 'discord', 'email', 'webhook'];
  if (!channels.includes(flags.notify))
    throw new UsageError(`Unknown notification channel "${flags.notify}".`, `Use one of ${channels.join(', ')}.`);
  if (flags.notify !== 'none' && !flags.notifyEnv)
    throw new UsageError(`--notify ${flags.notify} needs --notify-env VAR naming the variable that holds its URL.`);
  if (flags.notify === 'email')
    throw new UsageError(
      'Email needs from/to addresses, which --yes does not ask for.',
      'Run pgdr init interactively, or add notifications.email to the file by hand (see templates/pgdr.config.example.yaml).',
    );
  return {
    profile: flags.profile,
    urlEnv: flags.targetEnv,
    role: flags.role as TargetRole,
    supabase: Boolean(flags.supabase),
    repository: flags.repo,
    s3Endpoint: flags.s3Endpoint,
    recipients: flags.encryptTo ?? [],
    notify: flags.notify as NotifyChannelChoice,
    notifyEnv: flags.notifyEnv,
  };
}
