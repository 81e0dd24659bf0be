import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { defaultPgdrBin, renderCron, renderSystemd, type RenderedFile } from '../schedule/render.js';
import { installFiles } from '../schedule/install.js';
import { cliConfig } from './context.js';
import type { LoadedConfig } from '../config/load.js';

interface ScheduleFlags {
  cron?: boolean;
  systemd?: boolean;
  install?: boolean;
  dryRun?: boolean;
  root: string;
  config?: string;
  profile?: string;
  user?: string;
  envFile: string;
  logFile: string;
  pgdrBin?: string;
}

export function registerScheduleCommand(program: Command): void {
  program
    .command('schedule')
    .description(
      'Render (or install) the backup schedule as /etc/cron.d/pgdr or systemd timers: full daily 02:00 UTC, schema Sunday 03:00, prune 04:00, verify weekly, doctor hourly; with a pgBackRest stanza a physical full nightly and an incremental every 6 hours; the exports the config names. --dry-run alone prints the rhythm.',
    )
    .option('--cron', 'render a cron.d file')
    .option('--systemd', 'render systemd .service and .timer units')
    .option('--install', 'write the files (needs root)')
    .option(
      '--dry-run',
      'alone: print the jobs and when they run; with --install: the paths and content, written nowhere',
    )
    .option('--root <dir>', 'install under this directory instead of / (for packagers and tests)', '/')
    .option('--config <path>', 'config file (default ./pgdr.config.yaml, or PGDR_CONFIG)')
    .option('--profile <name>', 'target profile the jobs back up')
    .option('--user <name>', 'OS user the jobs run as (default: you)')
    .option('--env-file <path>', 'file (mode 0600) exporting the secrets the config names', '/etc/pgdr/pgdr.env')
    .option('--log-file <path>', 'where cron jobs append their output', '/var/log/pgdr.log')
    .option('--pgdr-bin <path>', 'pgdr executable the jobs run (default: this installation)')
    .action(async (flags: ScheduleFlags) => {
      if (flags.dryRun && !flags.install && !flags.cron && !flags.systemd) return await printRhythm(flags);
      if (Boolean(flags.cron) === Boolean(flags.systemd))
        throw new UsageError(
          'Choose one of --cron or --systemd.',
          'pgdr schedule --cron prints /etc/cron.d/pgdr; pgdr schedule --systemd prints the units and timers.',
        );
      const loaded = await scheduleConfig(flags);
      const options = {
        pgdrBin: resolve(flags.pgdrBin ?? defaultPgdrBin()),
        configPath: loaded.path,
        profile: flags.profile,
        user: flags.user ?? userInfo().username,
        envFile: flags.envFile,
        logFile: flags.logFile,
        workingDirectory: resolve(loaded.path, '..'),
      };
      const files: RenderedFile[] = flags.cron
        ? [renderCron(loaded.config, options)]
        : renderSystemd(loaded.config, options);
      if (!flags.install) {
        process.stdout.write(files.length === 1 ? files[0]!.content : files.map(show).join('\n'));
        return;
      }
      if (flags.dryRun) {
        process.stdout.write(
          `Would write ${files.length} file${files.length > 1 ? 's' : ''} (nothing written, --dry-run):\n\n`,
        );
        process.stdout.write(files.map((f) => show({ ...f, path: resolve(flags.root, `.${f.path}`) })).join('\n'));
        return;
      }
      const written = await installFiles(files, flags.root);
      for (const path of written) process.stdout.write(`wrote ${path}\n`);
      const timers = files.filter((f) => f.path.endsWith('.timer')).map((f) => f.path.split('/').pop());
      process.stdout.write(
        flags.systemd
          ? `\nNext: systemctl daemon-reload && systemctl enable --now ${timers.join(' ')}\n`
          : `\nNext: put the secrets in ${flags.envFile} (chmod 600); cron picks up /etc/cron.d/pgdr by itself.\n`,
      );
    });
}

async function scheduleConfig(flags: ScheduleFlags): Promise<LoadedConfig & { path: string }> {
  const loaded = await cliConfig({ config: flags.config });
  if (!loaded.path)
    throw new UsageError(
      'A schedule needs a pgdr.config.yaml for its jobs to read.',
      'Create one with pgdr init, or pass --config PATH.',
    );
  if (flags.profile && !loaded.config.targets[flags.profile])
    throw new UsageError(
      `No target profile named "${flags.profile}".`,
      `Known profiles: ${Object.keys(loaded.config.targets).join(', ') || 'none'}.`,
    );
  return loaded as LoadedConfig & { path: string };
}

async function printRhythm(flags: ScheduleFlags): Promise<void> {
  const loaded = await scheduleConfig(flags);
  const { describeRhythm } = await import('../schedule/rhythm.js');
  process.stdout.write(describeRhythm(loaded.config, flags.profile) + '\n');
}

function show(file: RenderedFile): string {
  return `# ==> ${file.path} (mode ${file.mode.toString(8)})\n${file.content}`;
}
