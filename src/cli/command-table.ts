/** The module that registers a command (src/cli/<module>.ts); several commands can share one. */
export type CommandModule =
  | 'backup'
  | 'restore'
  | 'pitr'
  | 'run'
  | 'runbooks'
  | 'runs'
  | 'report'
  | 'doctor'
  | 'init'
  | 'config'
  | 'schedule'
  | 'export'
  | 'import'
  | 'files'
  | 'audit'
  | 'repo'
  | 'exports'
  | 'completion';

/** A top-level command as `pgdr --help` lists it, without loading its module. */
export interface CommandEntry {
  name: string;
  aliases?: string[];
  summary: string;
  module: CommandModule;
}

/** Every top-level command, in the order `pgdr --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'backup',
    summary: 'Take a backup (pg_dump → zstd → age) into the repository, or verify one.',
    module: 'backup',
  },
  { name: 'backups', summary: 'List the complete backups in a repository.', module: 'backup' },
  { name: 'prune', summary: 'Remove backups outside the retention policy.', module: 'backup' },
  {
    name: 'exports',
    summary: 'Scheduled exports of the tables a plan names: run one now, list them.',
    module: 'exports',
  },
  { name: 'repo', summary: 'The repository’s S3 lifecycle rules, from the retention config.', module: 'repo' },
  {
    name: 'restore',
    summary: 'Restore a backup: into a new database, in place, some tables or some rows.',
    module: 'restore',
  },
  { name: 'pitr', summary: 'Point-in-time recovery through pgBackRest or the Supabase platform.', module: 'pitr' },
  { name: 'run', summary: 'Run a DR runbook in incident mode (or continue one with --resume).', module: 'run' },
  { name: 'drill', summary: 'Rehearse a runbook; --sandbox on a throwaway local cluster.', module: 'run' },
  { name: 'resume', summary: 'Continue the newest run that stopped before it ended.', module: 'run' },
  { name: 'runbooks', summary: 'The DR runbooks: list, show, validate.', module: 'runbooks' },
  { name: 'runs', summary: 'Past runs with their RTO and its trend.', module: 'runs' },
  {
    name: 'report',
    summary: 'The drill record of a run: render it again, verify it was not changed, sign it.',
    module: 'report',
  },
  { name: 'doctor', summary: 'Check that backups will save you; exit 0 ok, 1 warning, 2 critical.', module: 'doctor' },
  { name: 'init', summary: 'Write pgdr.config.yaml, testing each answer as it goes.', module: 'init' },
  { name: 'config', summary: 'Show the configuration in effect and where each value came from.', module: 'config' },
  { name: 'schedule', summary: 'Render or install the backup schedule (cron or systemd timers).', module: 'schedule' },
  { name: 'export', summary: 'Export a table, or everything about one user, as JSON, CSV or SQL.', module: 'export' },
  { name: 'import', summary: 'Import a JSON or CSV file into a table in one transaction.', module: 'import' },
  { name: 'files', summary: 'Supabase Storage objects: back them up and put them back.', module: 'files' },
  {
    name: 'audit',
    summary: 'Show the audit log: who ran what, when, against what, and how it ended.',
    module: 'audit',
  },
  { name: 'completion', summary: 'Print a shell completion script: pgdr completion bash|zsh.', module: 'completion' },
];

/** The command the arguments name (`pgdr help <command>` included), if it is one of ours. */
export function commandNamed(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name ?? ''));
}
