import chalk from 'chalk';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { OperationContext } from '../core/context.js';
import { createProgressPrinter } from '../ui/progress-printer.js';
import { Aborted, UsageError } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { repositorySpec, resolveProfile, type ResolvedProfile } from '../config/profile.js';
import { rememberProfile } from '../config/user-store.js';
import { parseTarget, type DbTarget } from '../pg/connection.js';
import { openRepository, type Repository } from '../storage/index.js';
import type { ArchiveKeys } from '../backup/archive.js';
import type { EncryptionOption } from '../backup/archive.js';
import { stderrLogger } from './output.js';
import { parseRecipient } from '../crypto/keys.js';
import { addPasswordOptions } from './password-options.js';

/** Options every command that touches a database or a repository accepts. */
export interface CommonOptions {
  db?: string;
  profile?: string;
  repo?: string;
  s3Endpoint?: string;
  config?: string;
  json?: boolean;
  verbose?: boolean;
}

export function addTargetOptions(cmd: Command): Command {
  return addPasswordOptions(
    cmd
      .option(
        '--db <url>',
        'database URL without the password, e.g. postgres://app@db:5432/app (else DATABASE_URL, SUPABASE_DB_URL, SUPABASE_PROJECT_REF+SUPABASE_DB_PASSWORD, PG* variables)',
      )
      .option('--profile <name>', 'target profile from pgdr.config.yaml'),
  );
}

export function addRepoOptions(cmd: Command): Command {
  return cmd
    .option('--repo <dir|s3://bucket/prefix>', 'backup repository (else PGDR_REPO or repository.url in the config)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (else AWS_ENDPOINT_URL)')
    .option('--config <path>', 'config file (default ./pgdr.config.yaml, or PGDR_CONFIG)');
}

export async function cliConfig(options: CommonOptions): Promise<LoadedConfig> {
  const loaded = await loadConfig({ configPath: options.config });
  for (const warning of loaded.warnings) process.stderr.write(`${chalk.yellow('warning:')} ${warning}\n`);
  return loaded;
}

export function cliTarget(loaded: LoadedConfig, options: CommonOptions): ResolvedProfile {
  if (options.db) {
    if (options.profile) throw new UsageError('Give either --db or --profile, not both.');
    return { name: undefined, target: parseTarget(options.db, '--db'), role: 'production', supabase: false };
  }
  const profile = resolveProfile(loaded.config, options.profile);
  // Remembered in the background: a convenience that never holds up or fails the command.
  if (profile.name && options.profile) void rememberProfile(profile.name);
  return profile;
}

/** The server for a restore test: a profile name from the config, or a URL. */
export function scratchServer(loaded: LoadedConfig, value: string): DbTarget {
  return /^postgres(ql)?:\/\//i.test(value)
    ? parseTarget(value, '--scratch-db')
    : resolveProfile(loaded.config, value).target;
}

/** A local repository path that leads nowhere: most often a typo, which must not read as "no backups yet". */
export class NoRepositoryThere extends UsageError {}

/** Refuses a local repository directory that does not exist, for what only reads one (a backup creates it). */
export function assertRepositoryExists(url: string): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || existsSync(url)) return;
  throw new NoRepositoryThere(`No repository at ${resolve(url)}: the directory does not exist.`, {
    hint: 'Check the path (--repo, PGDR_REPO or repository.url in pgdr.config.yaml); `pgdr backup` creates a repository with its first backup.',
  });
}

/** The repository the flags and config name; `read`: one that must already exist (all but taking a backup). */
export function cliRepository(
  loaded: LoadedConfig,
  options: CommonOptions,
  use: 'read' | 'write' = 'read',
): Repository {
  const spec = repositorySpec(loaded.config, options.repo);
  if (use === 'read') assertRepositoryExists(spec.url);
  return openRepository(spec.url, { s3Endpoint: options.s3Endpoint ?? spec.s3Endpoint, region: spec.region });
}

function envValue(name: string, flag: string): string {
  const value = process.env[name];
  if (!value)
    throw new UsageError(
      `${flag} names ${name}, which is not set or empty.`,
      `export ${name}=… (pgdr reads the secret from the environment so it never appears in argv or shell history).`,
    );
  registerSecret(value);
  return value;
}

/** --encrypt-to / --passphrase-env, else the config's recipients. */
export function cliEncryption(
  loaded: LoadedConfig,
  options: { encryptTo?: string[]; passphraseEnv?: string; encrypt?: boolean },
): EncryptionOption | undefined {
  if (options.encrypt === false) return undefined;
  if (options.passphraseEnv && options.encryptTo?.length)
    throw new UsageError('Give either --encrypt-to or --passphrase-env, not both.');
  if (options.passphraseEnv) return { passphrase: envValue(options.passphraseEnv, '--passphrase-env') };
  const recipients = options.encryptTo?.length ? options.encryptTo : loaded.config.encryption?.recipients;
  if (recipients?.length) return { recipients: recipients.map(parseRecipient) };
  const env = loaded.config.encryption?.passphraseEnv;
  return env ? { passphrase: envValue(env, 'encryption.passphraseEnv') } : undefined;
}

/** --identity FILE / --passphrase-env, else the config's identityFile / passphraseEnv. */
export async function cliKeys(
  loaded: LoadedConfig,
  options: { identity?: string; passphraseEnv?: string },
): Promise<ArchiveKeys> {
  const { readIdentityFile } = await import('../crypto/index.js');
  const identityFile = options.identity ?? loaded.config.encryption?.identityFile;
  const passphraseEnv = options.passphraseEnv ?? loaded.config.encryption?.passphraseEnv;
  return {
    ...(identityFile ? { identities: await readIdentityFile(identityFile) } : {}),
    ...(passphraseEnv && process.env[passphraseEnv] ? { passphrase: envValue(passphraseEnv, '--passphrase-env') } : {}),
  };
}

/**
 * Logger, progress and a signal that Ctrl-C, SIGTERM and SIGHUP abort, so a long operation cleans up after itself.
 * A second Ctrl-C exits at once.
 */
export function operationContext(
  options: { json?: boolean; verbose?: boolean; quiet?: boolean } = {},
): OperationContext & { dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  let last = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // when-exit (loaded through conf) re-raises the signal it saw at once: that is not a second Ctrl-C.
    if (Date.now() - last < 300) return;
    last = Date.now();
    count++;
    if (count > 1) process.exit(130);
    process.stderr.write(
      `\n${signal === 'SIGINT' ? 'Interrupted' : `Received ${signal}`}: stopping and cleaning up (press Ctrl-C again to exit at once)…\n`,
    );
    controller.abort(new Aborted());
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  const printer = options.quiet ? undefined : createProgressPrinter(process.stderr);
  return {
    log: stderrLogger({ verbose: options.verbose }),
    progress: (update) => printer?.update(update),
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) process.off(s, onSignal);
      printer?.finish();
    },
  };
}
